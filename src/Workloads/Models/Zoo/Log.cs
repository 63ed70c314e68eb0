using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>Log messages of the model zoo; event ids 1300-1399.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information,
        Message = "Generating {Model} {Precision} (first use) into {Path}…")]
    public static partial void Generating(ILogger logger, string model, Precision precision, string path);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning,
        Message = "Cached model {Path} {Problem}; regenerating {Model} {Precision}.")]
    public static partial void Regenerating(ILogger logger, string path, string problem, string model, Precision precision);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information,
        Message = "Generated {Model} {Precision} in {Seconds:F1} s: {Bytes} bytes, SHA-256 {Sha256}, {Path}.")]
    public static partial void Generated(ILogger logger, string model, Precision precision, double seconds, long bytes, string sha256, string path);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Debug,
        Message = "Verified {Path}: {Bytes} bytes match their SHA-256 in {Seconds:F2} s.")]
    public static partial void Verified(ILogger logger, string path, long bytes, double seconds);
}
