using System.Text.Json;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Support;

/// <summary>
/// <c>ortlog LEVEL MODEL MODE</c> in a child process: installs <see cref="OnnxRuntimeLog"/> with
/// a logger at LEVEL that prints every entry it receives as one JSON line on standard output,
/// then creates a session on MODEL as the engine does (its log id and
/// <see cref="OnnxRuntimeLog.SessionSeverity"/>) and prints <c>session created</c>. MODE:
/// <c>install</c>; <c>none</c> (ONNX Runtime's default log, the session at WARNING); <c>existing</c> (the environment
/// is created first, then the log installed twice); <c>throwing</c> (the logger throws).
/// </summary>
public static class OrtLogChild
{
    /// <summary>The log id the session is created with (the engine uses the canary's name).</summary>
    public const string SessionLogId = "tiny";

    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is not [var levelName, var model, var mode] || !Enum.TryParse<LogLevel>(levelName, out var level))
        {
            Console.Error.WriteLine("usage: ortlog LEVEL MODEL install|none|existing|throwing");
            return 2;
        }

        var logger = new LineLogger(level, throws: mode == "throwing");
        if (mode == "existing")
        {
            _ = OrtEnv.Instance();
        }

        if (mode != "none")
        {
            var installed = OnnxRuntimeLog.Install(logger);
            if (mode == "existing")
            {
                installed |= OnnxRuntimeLog.Install(logger);
            }

            Console.Out.WriteLine($"installed {installed} {OnnxRuntimeLog.SessionSeverity}");
        }

        // Without the log the session still asks for warnings, as it does through the log at Information.
        var severity = mode == "none" ? OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING : OnnxRuntimeLog.SessionSeverity;
        using var options = new SessionOptions { LogId = SessionLogId, LogSeverityLevel = severity };
        using var session = new InferenceSession(model, options);
        Console.Out.WriteLine("session created");
        return 0;
    }

    /// <summary>One logged entry as the child prints it.</summary>
    public sealed record Entry(LogLevel Level, int Id, string Message, Dictionary<string, string?> State);

    private sealed class LineLogger(LogLevel minimum, bool throws) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (throws)
            {
                throw new InvalidOperationException("a log sink that fails");
            }

            var properties = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            var entry = new Entry(logLevel, eventId.Id, formatter(state, exception), properties.ToDictionary(p => p.Key, p => p.Value?.ToString()));
            Console.Out.WriteLine(JsonSerializer.Serialize(entry));
        }
    }
}
