using System.Diagnostics.Tracing;
using BenchDaemon.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Telemetry;

/// <summary>
/// Counts failed OTLP exports and says so once. The OpenTelemetry exporter reports a failed
/// export only on its EventSource (it never throws into the daemon: the periodic reader and
/// the batch processor run on their own threads, with a bounded queue), so this listens there.
/// A collector that is down is one log line, not one per export interval; its recovery is another.
/// </summary>
public sealed partial class OtlpExportMonitor : EventListener, IMetricSource
{
    /// <summary>The exporter's EventSource (OpenTelemetryProtocolExporterEventSource).</summary>
    public const string EventSourceName = "OpenTelemetry-Exporter-OpenTelemetryProtocol";

    /// <summary>Connection refused, no route, DNS failure.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>The collector accepted the connection but did not answer within <c>Otlp:Timeout</c>.</summary>
    public const string Timeout = "timeout";

    /// <summary>The collector answered with an error status.</summary>
    public const string Rejected = "rejected";

    /// <summary>Any other export failure.</summary>
    public const string Other = "other";

    private static readonly string[] s_reasons = [Unreachable, Timeout, Rejected, Other];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _errors = s_reasons.ToDictionary(r => r, _ => 0L, StringComparer.Ordinal);
    private readonly List<EventSource> _pending = [];
    private ILogger? _logger;
    private string _endpoint = string.Empty;
    private readonly FailureLatch _failing = new();

    /// <summary>Listens from now on; <paramref name="options"/> names the endpoint in the log.</summary>
    public OtlpExportMonitor(IOptions<OtlpOptions> options, ILogger<OtlpExportMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_lock)
        {
            _endpoint = options.Value.Endpoint.ToString();
            _logger = logger;
            // Sources that existed before this listener were announced in the base constructor.
            foreach (var source in _pending)
            {
                EnableEvents(source, EventLevel.Informational);
            }

            _pending.Clear();
        }
    }

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_lock)
        {
            foreach (var (reason, count) in _errors)
            {
                writer.Write(TelemetryCatalogue.OtlpExportErrors, count, reason);
            }
        }
    }

    /// <summary>The reason code of an exporter event, or null when the event is not a failure.</summary>
    public static string? ReasonOf(string? eventName, EventLevel level) => eventName switch
    {
        null => null,
        "ExportSuccess" => null,
        _ when eventName.Contains("Reach", StringComparison.Ordinal) => Unreachable,
        _ when eventName.Contains("TimedOut", StringComparison.Ordinal) || eventName.Contains("Canceled", StringComparison.Ordinal) => Timeout,
        _ when eventName.Contains("HttpRequestFailed", StringComparison.Ordinal) || eventName.Contains("ExportFailure", StringComparison.Ordinal)
            || eventName.Contains("GrpcStatus", StringComparison.Ordinal) => Rejected,
        _ when eventName.Contains("Export", StringComparison.Ordinal) && level <= EventLevel.Error => Other,
        _ => null,
    };

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name != EventSourceName)
        {
            return;
        }

        // Called from the base constructor for sources that already exist: field initialisers
        // have run by then, the constructor body (the logger) not yet.
        lock (_lock)
        {
            if (_logger is null)
            {
                _pending.Add(eventSource);
                return;
            }
        }

        EnableEvents(eventSource, EventLevel.Informational);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.EventSource.Name != EventSourceName)
        {
            return;
        }

        var reason = ReasonOf(eventData.EventName, eventData.Level);
        string? recovered = null;
        bool first;
        lock (_lock)
        {
            if (reason is null)
            {
                if (eventData.EventName == "ExportSuccess")
                {
                    recovered = _failing.Recover();
                }

                first = false;
            }
            else
            {
                _errors[reason]++;
                first = _failing.Fail(reason);
            }
        }

        if (recovered is not null && _logger is not null)
        {
            LogRecovered(_logger, _endpoint, recovered);
        }
        else if (reason is not null && _logger is not null)
        {
            var detail = Detail(eventData);
            if (first)
            {
                LogFailed(_logger, _endpoint, reason, detail);
            }
            else
            {
                LogFailedAgain(_logger, _endpoint, reason, detail);
            }
        }
    }

    private static string Detail(EventWrittenEventArgs eventData)
    {
        // The exporter's payload is the endpoint and the exception text: its first line says it.
        var text = eventData.Payload?.OfType<string>().LastOrDefault() ?? eventData.EventName ?? "export failed";
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    [LoggerMessage(EventId = 720, Level = LogLevel.Warning, Message = "OTLP export to {Endpoint} failed ({Reason}: {Detail}); canaries and probes go on, /metrics is unaffected, and the export is retried every interval")]
    private static partial void LogFailed(ILogger logger, string endpoint, string reason, string detail);

    [LoggerMessage(EventId = 721, Level = LogLevel.Debug, Message = "OTLP export to {Endpoint} failed again ({Reason}: {Detail})")]
    private static partial void LogFailedAgain(ILogger logger, string endpoint, string reason, string detail);

    [LoggerMessage(EventId = 722, Level = LogLevel.Information, Message = "OTLP export to {Endpoint} succeeds again (after {Reason} failures)")]
    private static partial void LogRecovered(ILogger logger, string endpoint, string reason);
}
