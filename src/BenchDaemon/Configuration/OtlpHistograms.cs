namespace BenchDaemon.Configuration;

/// <summary>How histograms (canary latency, start delay) are sent over OTLP.</summary>
public enum OtlpHistograms
{
    /// <summary>Explicit buckets, the same bounds as /metrics: every backend takes them.</summary>
    Explicit,

    /// <summary>
    /// OpenTelemetry's base-2 exponential histogram: its scale adapts to the values, so a
    /// canary's latency keeps a resolution of a few percent in at most
    /// <see cref="OtlpOptions.ExponentialMaxBuckets"/> buckets, whatever the model. For backends
    /// with native histograms (Prometheus' OTLP receiver, Mimir, VictoriaMetrics, an OpenTelemetry
    /// Collector in front of them).
    /// </summary>
    Exponential,
}
