namespace BenchDaemon.Telemetry;

/// <summary>Receives the current value of one series of a catalogue metric.</summary>
public interface IMetricWriter
{
    /// <summary>
    /// Records <paramref name="value"/> for the series of <paramref name="metric"/> with
    /// <paramref name="labelValues"/> given in the order of <see cref="MetricDefinition.Labels"/>.
    /// A counter's value is its cumulative total.
    /// </summary>
    void Write(MetricDefinition metric, double value, params string[] labelValues);
}
