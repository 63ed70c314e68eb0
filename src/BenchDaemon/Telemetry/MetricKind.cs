namespace BenchDaemon.Telemetry;

/// <summary>The Prometheus metric type of a catalogue entry.</summary>
public enum MetricKind
{
    /// <summary>A value that only goes up (gets <c>_total</c>).</summary>
    Counter,

    /// <summary>A value that goes up and down.</summary>
    Gauge,

    /// <summary>A distribution of observations in buckets (gets <c>_bucket</c>, <c>_sum</c>, <c>_count</c>).</summary>
    Histogram,
}
