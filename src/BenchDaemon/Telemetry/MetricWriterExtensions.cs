namespace BenchDaemon.Telemetry;

/// <summary>Writing a value that a source may not have.</summary>
public static class MetricWriterExtensions
{
    /// <summary>
    /// Writes <paramref name="value"/> when there is one and it is finite; otherwise the series is not
    /// written, and so leaves /metrics (an absent reading is no series, never a zero or a NaN).
    /// </summary>
    public static void WriteOptional(this IMetricWriter writer, MetricDefinition metric, double? value, params string[] labelValues)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } v && double.IsFinite(v))
        {
            writer.Write(metric, v, labelValues);
        }
    }
}
