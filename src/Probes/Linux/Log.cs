using Microsoft.Extensions.Logging;

namespace BenchDaemon.Probes.Linux;

/// <summary>Log messages of the Linux host probes; event ids 1100-1199.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning,
        Message = "Could not read {Part} from {Path}: {Reason} These metrics are omitted until it can be read (logged once).")]
    public static partial void PartUnreadable(ILogger logger, string part, string path, string reason);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "{Part} can be read again from {Path}.")]
    public static partial void PartRecovered(ILogger logger, string part, string path);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information,
        Message = "Pressure stall information not available ({Path} does not exist: kernel older than 4.20, built without CONFIG_PSI, or booted with psi=0); pressure metrics are omitted.")]
    public static partial void PressureNotAvailable(ILogger logger, string path);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information,
        Message = "No RAPL energy counters under {Path} (normal on virtual machines and on CPUs without RAPL); host energy metrics are omitted.")]
    public static partial void RaplNotFound(ILogger logger, string path);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Found {Count} RAPL energy domains: {Domains}.")]
    public static partial void RaplFound(ILogger logger, int count, IReadOnlyList<string> domains);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information,
        Message = "RAPL energy counters not readable (permission denied on {Path}); host energy metrics are omitted. Run as root or grant read access.")]
    public static partial void RaplAccessDenied(ILogger logger, string path);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning,
        Message = "Could not read RAPL energy counter {Path}: {Reason} Energy of the domains affected is omitted until it can be read (logged once).")]
    public static partial void RaplUnreadable(ILogger logger, string path, string reason);
}
