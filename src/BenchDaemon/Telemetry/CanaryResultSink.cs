using System.Globalization;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Telemetry;

/// <summary>
/// Where every canary result goes: the latency histogram (pushed to /metrics and OTLP), the
/// last-run gauges and run counters (pulled at scrape time), and one structured log event.
/// </summary>
public sealed partial class CanaryResultSink(TelemetryRecorder recorder, TimeProvider timeProvider, ILogger<CanaryResultSink> logger) : IMetricSource
{
    private static readonly (string Label, Func<LatencyStatistics, double> Value)[] s_quantiles =
    [
        ("p50", s => s.P50), ("p90", s => s.P90), ("p95", s => s.P95), ("p99", s => s.P99), ("p999", s => s.P999), ("mean", s => s.Mean), ("max", s => s.Max),
    ];

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Canary, string Status, string Reason), long> _runs = [];
    private readonly Dictionary<(string Canary, int Batch), CanaryResult> _latest = [];
    private readonly Dictionary<string, double> _lastSuccess = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _lastRun = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _firings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _queueDepth = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _schedulePeriod = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _failing = new(StringComparer.Ordinal);

    // Skips that say the canary cannot run on this machine as configured (not a guard's passing refusal).
    private static readonly HashSet<string> s_cannotRun = new(StringComparer.Ordinal)
    {
        ReasonCodes.ProviderUnavailable, ReasonCodes.PrecisionUnavailable, ReasonCodes.ModelUnavailable, ReasonCodes.RuntimeUnavailable,
        ReasonCodes.DriverUnavailable, ReasonCodes.LibraryUnavailable, ReasonCodes.DeviceUnavailable,
    };

    /// <summary>Records one result in every sink.</summary>
    public void Record(CanaryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        var status = result.Status.ToString().ToLowerInvariant();
        lock (_lock)
        {
            var key = (result.Canary, status, result.ReasonCode ?? string.Empty);
            _runs[key] = _runs.GetValueOrDefault(key) + 1;
            _lastRun[result.Canary] = now;
            if (result.LatencySeconds is not null)
            {
                _latest[(result.Canary, result.Batch)] = result;
                _lastSuccess[result.Canary] = now;
            }
        }

        LogOutcomeChange(result, status);
        if (result.Samples.Count > 0)
        {
            recorder.Observe(TelemetryCatalogue.CanaryLatency, result.Samples, result.SampleWeight, Labels(result));
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            var precision = result.Precision.ToString();
            if (result.LatencySeconds is { } latency)
            {
                var reason = result.Reason is { Length: > 0 } why ? $" ({why})" : string.Empty;
                var p50 = Readable.Duration(latency.P50);
                var p99 = Readable.Duration(latency.P99);
                var throughput = Readable.PerSecond(result.ThroughputSamplesPerSecond, "samples");
                var energy = Readable.JoulesPerSample(result.EnergyJoulesPerSample);
                LogResult(logger, result.Canary, result.Model, result.Provider, precision, result.Batch, status, reason, p50, p99, throughput, energy, result.Iterations);
            }
            else
            {
                LogNotMeasured(logger, result.Canary, result.Model, result.Provider, precision, result.Batch, status, result.Reason ?? result.ReasonCode ?? "-");
            }
        }
    }

    // One warning when a canary starts failing (or cannot run here) and one line when it measures
    // again: a canary that fails at every firing must not repeat a warning per firing (the result
    // line of each run stays at Information).
    private void LogOutcomeChange(CanaryResult result, string status)
    {
        var code = result.ReasonCode ?? string.Empty;
        var failing = (result.Status == CanaryStatus.Failed && code != ReasonCodes.Shutdown)
            || (result.Status == CanaryStatus.Skipped && s_cannotRun.Contains(code));
        string? previous;
        lock (_lock)
        {
            _failing.TryGetValue(result.Canary, out previous);
            if (failing)
            {
                _failing[result.Canary] = code;
            }
            else if (result.LatencySeconds is not null)
            {
                _failing.Remove(result.Canary);
            }
        }

        if (failing && !string.Equals(previous, code, StringComparison.Ordinal))
        {
            LogFailing(logger, result.Canary, status, code, result.Reason ?? code);
        }
        else if (!failing && previous is not null && result.LatencySeconds is not null)
        {
            LogMeasuresAgain(logger, result.Canary, previous);
        }
    }

    /// <summary>Counts a scheduled firing of <paramref name="canary"/>.</summary>
    public void RecordFiring(string canary)
    {
        ArgumentNullException.ThrowIfNull(canary);
        lock (_lock)
        {
            _firings[canary] = _firings.GetValueOrDefault(canary) + 1;
        }
    }

    /// <summary>Counts a run that never started (dropped or refused by a guard).</summary>
    public void RecordSkip(CanaryDefinition canary, string code, string reason)
    {
        ArgumentNullException.ThrowIfNull(canary);
        foreach (var batch in canary.BatchSizes)
        {
            Record(CanaryResult.Of(canary, batch, CanaryStatus.Skipped, timeProvider.GetUtcNow(), code, reason));
        }
    }

    /// <summary>Forgets canaries not in <paramref name="names"/> (removed by a reload), so their series leave /metrics, latency histograms included.</summary>
    public void Retain(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var keep = names.ToHashSet(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var key in _runs.Keys.Where(k => !keep.Contains(k.Canary)).ToList())
            {
                _runs.Remove(key);
            }

            foreach (var key in _latest.Keys.Where(k => !keep.Contains(k.Canary)).ToList())
            {
                _latest.Remove(key);
            }

            foreach (var name in _failing.Keys.Where(n => !keep.Contains(n)).ToList())
            {
                _failing.Remove(name);
            }

            foreach (var name in _lastSuccess.Keys.Concat(_lastRun.Keys).Concat(_firings.Keys).Where(n => !keep.Contains(n)).ToList())
            {
                _lastSuccess.Remove(name);
                _lastRun.Remove(name);
                _firings.Remove(name);
            }
        }

        recorder.Remove(TelemetryCatalogue.CanaryLatency, labels => !keep.Contains(labels[0]));
    }

    /// <summary>
    /// Replaces the exported schedule periods (<c>benchdaemon_canary_schedule_interval_seconds</c>)
    /// with <paramref name="periods"/>; a canary with no period (a cron that never fires again) has no series.
    /// </summary>
    public void SetSchedulePeriods(IReadOnlyList<(string Canary, TimeSpan? Period)> periods)
    {
        ArgumentNullException.ThrowIfNull(periods);
        lock (_lock)
        {
            _schedulePeriod.Clear();
            foreach (var (canary, period) in periods)
            {
                if (period is { } p)
                {
                    _schedulePeriod[canary] = p.TotalSeconds;
                }
            }
        }
    }

    /// <summary>Sets how many runs wait for <paramref name="device"/>.</summary>
    public void SetQueueDepth(DeviceRef device, int depth)
    {
        lock (_lock)
        {
            _queueDepth[device.ToString()] = depth;
        }
    }

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_lock)
        {
            foreach (var ((canary, status, reason), count) in _runs)
            {
                writer.Write(TelemetryCatalogue.CanaryRuns, count, canary, status, reason);
            }

            foreach (var (canary, time) in _lastSuccess)
            {
                writer.Write(TelemetryCatalogue.CanaryLastSuccess, time, canary);
            }

            foreach (var (canary, time) in _lastRun)
            {
                writer.Write(TelemetryCatalogue.CanaryLastRun, time, canary);
            }

            foreach (var (canary, firings) in _firings)
            {
                writer.Write(TelemetryCatalogue.CanaryFirings, firings, canary);
            }

            foreach (var (canary, seconds) in _schedulePeriod)
            {
                writer.Write(TelemetryCatalogue.CanaryScheduleInterval, seconds, canary);
            }

            foreach (var (device, depth) in _queueDepth)
            {
                writer.Write(TelemetryCatalogue.CanaryQueueDepth, depth, device);
            }

            foreach (var result in _latest.Values)
            {
                var labels = Labels(result);
                var stats = result.LatencySeconds!;
                foreach (var (quantile, value) in s_quantiles)
                {
                    writer.Write(TelemetryCatalogue.CanaryLastLatency, value(stats), [.. labels, quantile]);
                }

                foreach (var (stage, seconds) in result.StageSeconds ?? new Dictionary<string, double>())
                {
                    writer.Write(TelemetryCatalogue.CanaryStage, seconds, [.. labels, stage]);
                }

                writer.WriteOptional(TelemetryCatalogue.CanaryThroughput, result.ThroughputSamplesPerSecond, labels);
                writer.WriteOptional(TelemetryCatalogue.CanaryEnergyPerSample, result.EnergyJoulesPerSample, labels);
                writer.WriteOptional(TelemetryCatalogue.CanarySessionCreate, result.SessionCreateSeconds, labels);
                writer.WriteOptional(TelemetryCatalogue.CanaryFlops, result.ThroughputFlopsPerSecond, labels);
                writer.WriteOptional(TelemetryCatalogue.CanaryPeakRatio, result.PeakRatio, labels);
                writer.WriteOptional(TelemetryCatalogue.CanaryEnergyPerFlop, result.EnergyJoulesPerFlop, labels);
                foreach (var (direction, bandwidth) in result.BandwidthBytesPerSecond ?? new Dictionary<string, double>())
                {
                    writer.WriteOptional(TelemetryCatalogue.CanaryBandwidth, bandwidth, [.. labels, direction]);
                }

                // A GPU canary watches its own GPU only; a CPU canary watches every GPU (series only on a one-GPU host, bounded).
                GpuActivity(writer, TelemetryCatalogue.CanaryGpuSmActive, result.GpuSmActive, labels);
                GpuActivity(writer, TelemetryCatalogue.CanaryGpuTensorActive, result.GpuTensorActive, labels);
                GpuActivity(writer, TelemetryCatalogue.CanaryGpuDramActive, result.GpuDramActive, labels);
                writer.WriteOptional(TelemetryCatalogue.CanaryDriftMaxAbsError, result.Drift?.MaxAbsError, labels);
                writer.WriteOptional(TelemetryCatalogue.CanaryDriftCosine, result.Drift?.CosineSimilarity, labels);
                writer.WriteOptional(TelemetryCatalogue.CanaryDriftTop1, result.Drift?.Top1Agreement, labels);
            }
        }
    }

    private static void GpuActivity(IMetricWriter writer, MetricDefinition metric, IReadOnlyDictionary<string, double>? perGpu, string[] labels)
    {
        if (perGpu is { Count: 1 } && perGpu.Single() is var (device, value) && device.StartsWith("gpu:", StringComparison.Ordinal))
        {
            writer.WriteOptional(metric, value, [.. labels, device["gpu:".Length..]]);
        }
    }

    private static string[] Labels(CanaryResult result) =>
        [result.Canary, result.Model, result.Provider, result.Precision.ToString(), result.Batch.ToString(CultureInfo.InvariantCulture)];

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning,
        Message = "Canary {Canary} {Status} ({ReasonCode}): {Reason}. It stays scheduled and is tried again at every firing (benchdaemon_canary_runs_total counts each); logged again only when the outcome changes.")]
    private static partial void LogFailing(ILogger logger, string canary, string status, string reasonCode, string reason);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Canary {Canary} measures again (it was {ReasonCode}).")]
    private static partial void LogMeasuresAgain(ILogger logger, string canary, string reasonCode);

    [LoggerMessage(EventId = 700, Level = LogLevel.Information,
        Message = "Canary result {Canary} {Model} {Provider} {Precision} batch {Batch}: {Status}{Reason}; p50 {P50}, p99 {P99}, {Throughput}, energy {Energy}, {Iterations} iterations")]
    private static partial void LogResult(ILogger logger, string canary, string model, string provider, string precision, int batch, string status, string reason,
        string p50, string p99, string throughput, string energy, int iterations);

    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "Canary result {Canary} {Model} {Provider} {Precision} batch {Batch}: {Status} ({Reason})")]
    private static partial void LogNotMeasured(ILogger logger, string canary, string model, string provider, string precision, int batch, string status, string reason);
}
