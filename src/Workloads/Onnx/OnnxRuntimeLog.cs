using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// ONNX Runtime's own log through an <see cref="ILogger"/>: <see cref="Install"/> creates the
/// process's ONNX Runtime environment with a logging callback, so its lines arrive as log events
/// (<see cref="LineEventId"/>, at the matching level, colour codes removed) instead of as raw,
/// coloured text on standard error. The environment is per process and created once: the worker
/// installs this before anything touches ONNX Runtime; where it was created earlier, ONNX
/// Runtime keeps its default (standard error) and the logging says so once, at Debug.
/// </summary>
/// <remarks>
/// The level ONNX Runtime is asked for follows the logger (<see cref="Severity"/>): at the
/// default Information its warnings and errors, not its INFO lines, of which every session writes
/// a dozen (arena sizes, thread pools, partitioning); Debug adds them, Trace adds VERBOSE.
/// Sessions log at the same level (<see cref="SessionSeverity"/>) under the canary's name.
/// </remarks>
public static partial class OnnxRuntimeLog
{
    /// <summary>Event id of a forwarded ONNX Runtime line.</summary>
    public const int LineEventId = 303;

    /// <summary>ONNX Runtime's log id of the environment's own lines (sessions log under their <c>LogId</c>, the canary's name).</summary>
    public const string EnvironmentLogId = "environment";

    private static readonly Lock s_lock = new();

    // Native code keeps a pointer to the managed API's thunk, which calls this delegate for the
    // life of the process: held here so that it can never be collected.
    private static readonly DOrtLoggingFunction s_callback = Callback;

    private static ILogger? s_logger;
    private static OrtLoggingLevel s_severity = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
    private static bool s_installed;
    private static bool s_toldNotInstalled;

    /// <summary>
    /// The level sessions are created with: <see cref="Severity"/> of the installed logger, or
    /// ERROR where nothing was installed (ONNX Runtime's lines then go to standard error, and only
    /// its errors are worth that).
    /// </summary>
    public static OrtLoggingLevel SessionSeverity
    {
        get
        {
            lock (s_lock)
            {
                return s_installed ? s_severity : OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
            }
        }
    }

    /// <summary>
    /// Creates this process's ONNX Runtime environment with its log going to
    /// <paramref name="logger"/>; call it before any other use of ONNX Runtime. A second call
    /// routes the log to the new logger. Never throws: an environment created earlier, or a
    /// native library that does not load (<see cref="OnnxRuntimeInfo"/> reports that), leaves
    /// ONNX Runtime's log on standard error and says so once, at Debug.
    /// </summary>
    /// <param name="logger">Where ONNX Runtime's lines go; its enabled level sets ONNX Runtime's.</param>
    /// <param name="libraryPath"><see cref="OnnxRuntimeOptions.LibraryPath"/>: routed before the library loads.</param>
    /// <returns>True when ONNX Runtime's log goes to <paramref name="logger"/>.</returns>
    public static bool Install(ILogger logger, string? libraryPath = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var severity = Severity(logger);
        lock (s_lock)
        {
            if (s_installed)
            {
                Volatile.Write(ref s_logger, logger);
                s_severity = severity;
                SetLevel(severity);
                return true;
            }

            if (!string.IsNullOrWhiteSpace(libraryPath))
            {
                // The resolver must be in place before the environment loads the library; a
                // different path routed earlier is OnnxRuntimeInfo's error to report.
                _ = OnnxRuntimeInfo.UseLibrary(libraryPath);
            }

            if (OrtEnv.IsCreated)
            {
                TellNotInstalled(logger, "its environment was created before the log could be routed");
                return false;
            }

            // Set before the environment exists: lines written while it is created arrive too.
            Volatile.Write(ref s_logger, logger);
            try
            {
                var options = new EnvironmentCreationOptions
                {
                    logId = EnvironmentLogId,
                    logLevel = severity,
                    loggingFunction = s_callback,
                };
                _ = OrtEnv.CreateInstanceWithOptions(ref options);
                s_severity = severity;
                s_installed = true;
                return true;
            }
#pragma warning disable CA1031 // Logging must never fail a canary: whatever went wrong, ONNX Runtime goes on with its default log.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Volatile.Write(ref s_logger, null);
                TellNotInstalled(logger, ex.GetBaseException().Message);
                return false;
            }
        }
    }

    /// <summary>
    /// ONNX Runtime's level for <paramref name="logger"/>: VERBOSE where Trace is enabled, INFO
    /// where Debug is, WARNING at Information or Warning, then ERROR and FATAL.
    /// </summary>
    public static OrtLoggingLevel Severity(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return logger.IsEnabled(LogLevel.Trace) ? OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE
            : logger.IsEnabled(LogLevel.Debug) ? OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO
            : logger.IsEnabled(LogLevel.Warning) ? OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING
            : logger.IsEnabled(LogLevel.Error) ? OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR
            : OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
    }

    /// <summary>The log level of an ONNX Runtime severity.</summary>
    public static LogLevel Level(OrtLoggingLevel severity) => severity switch
    {
        OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE => LogLevel.Trace,
        OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO => LogLevel.Information,
        OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING => LogLevel.Warning,
        OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR => LogLevel.Error,
        _ => LogLevel.Critical,
    };

    /// <summary>One ONNX Runtime line to <paramref name="logger"/>: the callback's work, apart for tests.</summary>
    internal static void Forward(ILogger logger, OrtLoggingLevel severity, string? category, string? logId, string? codeLocation, string? message)
    {
        var level = Level(severity);
        if (logger.IsEnabled(level))
        {
            var id = string.IsNullOrEmpty(logId) ? "session" : Clean(logId);
            var text = Clean(message);
            var ortCategory = Clean(category);
            var location = Clean(codeLocation);
            LogLine(logger, level, id, text, ortCategory, location);
        }
    }

    /// <summary><paramref name="text"/> without terminal escape sequences (ONNX Runtime colours its console lines) or surrounding white space.</summary>
    internal static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (text.Contains('\x1B', StringComparison.Ordinal))
        {
            text = EscapeSequence().Replace(text, string.Empty).Replace("\x1B", string.Empty, StringComparison.Ordinal);
        }

        return text.Trim();
    }

    // Called by ONNX Runtime, on any of its threads; an exception here would unwind into native
    // code and end the process.
    private static void Callback(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        try
        {
            if (Volatile.Read(ref s_logger) is { } logger)
            {
                Forward(logger, severity, category, logId, codeLocation, message);
            }
        }
#pragma warning disable CA1031 // A failing log sink (disposed at exit, a broken pipe) must not take native code down.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static void SetLevel(OrtLoggingLevel severity)
    {
        try
        {
            OrtEnv.Instance().EnvLogLevel = severity;
        }
#pragma warning disable CA1031 // The level stays as it was; the lines still go to the new logger.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static void TellNotInstalled(ILogger logger, string reason)
    {
        if (s_toldNotInstalled)
        {
            return;
        }

        s_toldNotInstalled = true;
        LogNotInstalled(logger, reason);
    }

    // CSI sequences (colour: ESC [ 0 ; 93 m … ESC [ m) and two-character escapes.
    [GeneratedRegex(@"\x1B(\[[0-9;?]*[ -/]*[@-~]|[@-_])")]
    private static partial Regex EscapeSequence();

    [LoggerMessage(EventId = LineEventId, Message = "ONNX Runtime ({LogId}): {Text} [{OrtCategory} {CodeLocation}]")]
    private static partial void LogLine(ILogger logger, LogLevel level, string logId, string text, string ortCategory, string codeLocation);

    [LoggerMessage(EventId = 304, Level = LogLevel.Debug, Message = "ONNX Runtime's log is not routed to this log ({Reason}); its lines go to standard error")]
    private static partial void LogNotInstalled(ILogger logger, string reason);
}
