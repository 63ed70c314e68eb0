using System.Globalization;
using BenchDaemon.Telemetry;
using Serilog.Core;
using Serilog.Events;

namespace BenchDaemon.Hosting;

/// <summary>
/// Watches the rolling log file sink: a write it cannot make (a full disk, a directory made
/// read-only) is counted in <c>benchdaemon_log_write_errors_total</c> and said once on standard
/// error (the journal under systemd), since the file itself cannot say it. The daemon, its
/// console log and its exports go on; the file takes events again as soon as it can.
/// </summary>
public sealed class LogFileHealth : IMetricSource
{
    /// <summary>The disk or a quota is full.</summary>
    public const string Full = "full";

    /// <summary>The file or directory may not be written.</summary>
    public const string Denied = "denied";

    /// <summary>Any other failure.</summary>
    public const string Io = "io";

    private const int EnoSpc = 28;
    private const int EDQuot = 122;
    private static readonly string[] s_reasons = [Full, Denied, Io];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _errors = s_reasons.ToDictionary(r => r, _ => 0L, StringComparer.Ordinal);
    private readonly TextWriter _error;
    private readonly TimeProvider _timeProvider;
    private readonly FailureLatch _failing = new();
    private string _directory = ".";

    /// <summary>Reports on <paramref name="error"/> (standard error when null).</summary>
    public LogFileHealth(TimeProvider timeProvider, TextWriter? error = null)
    {
        _timeProvider = timeProvider;
        _error = error ?? Console.Error;
    }

    /// <summary>Wraps the file sink of <paramref name="directory"/> so that its failures reach this monitor.</summary>
    public ILogEventSink Watch(ILogEventSink fileSink, string directory)
    {
        ArgumentNullException.ThrowIfNull(fileSink);
        _directory = directory;
        return new GuardedSink(fileSink, this);
    }

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_lock)
        {
            foreach (var (reason, count) in _errors)
            {
                writer.Write(TelemetryCatalogue.LogWriteErrors, count, reason);
            }
        }
    }

    /// <summary>The reason code of a failed file write.</summary>
    public static string ReasonOf(Exception? exception) => exception switch
    {
        IOException io when (io.HResult & 0xFFFF) is EnoSpc or EDQuot || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) => Full,
        UnauthorizedAccessException => Denied,
        _ => Io,
    };

    private void Failed(Exception? exception, string message, int events)
    {
        var reason = ReasonOf(exception);
        bool first;
        lock (_lock)
        {
            _errors[reason] += Math.Max(1, events);
            first = _failing.Fail(reason);
        }

        if (first)
        {
            Say("ERR", string.Create(CultureInfo.InvariantCulture,
                $"Log file in {_directory} cannot be written ({reason}: {FirstLine(exception?.Message ?? message)}); logging goes on to the console, the file resumes when it can, failures are counted in benchdaemon_log_write_errors_total"));
        }
    }

    private void Succeeded()
    {
        string? recovered;
        lock (_lock)
        {
            recovered = _failing.Recover();
        }

        if (recovered is not null)
        {
            Say("INF", $"Log file in {_directory} is written again (after {recovered} failures)");
        }
    }

    // Through stderr, not the logger: the logger would hand the line to the failing file again.
    private void Say(string level, string message)
    {
        lock (_error)
        {
            _error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_timeProvider.GetLocalNow():HH:mm:ss} {level}] {typeof(LogFileHealth).FullName}: {message}"));
            _error.Flush();
        }
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    private sealed class GuardedSink : ILogEventSink, ILoggingFailureListener, IDisposable
    {
        private readonly ILogEventSink _inner;
        private readonly LogFileHealth _health;
        private long _failures;

        public GuardedSink(ILogEventSink inner, LogFileHealth health)
        {
            _inner = inner;
            _health = health;
            // The file sink reports what it could not write here rather than throwing.
            (inner as ISetLoggingFailureListener)?.SetFailureListener(this);
        }

        public void Emit(LogEvent logEvent)
        {
            var before = Interlocked.Read(ref _failures);
            try
            {
                _inner.Emit(logEvent);
            }
#pragma warning disable CA1031 // A log write must never take the daemon down; it is counted and said once.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _failures);
                _health.Failed(ex, ex.Message, 1);
                return;
            }

            if (Interlocked.Read(ref _failures) == before)
            {
                _health.Succeeded();
            }
        }

        public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
        {
            Interlocked.Increment(ref _failures);
            _health.Failed(exception, message, events?.Count ?? 1);
        }

        public void Dispose() => (_inner as IDisposable)?.Dispose();
    }
}
