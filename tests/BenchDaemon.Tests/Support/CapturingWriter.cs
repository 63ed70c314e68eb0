using BenchDaemon.Telemetry;

namespace BenchDaemon.Tests.Support;

/// <summary>An <see cref="IMetricWriter"/> that keeps every series a metric source writes.</summary>
public sealed class CapturingWriter : IMetricWriter
{
    public List<(MetricDefinition Metric, double Value, string[] Labels)> Series { get; } = [];

    public void Write(MetricDefinition metric, double value, params string[] labelValues) => Series.Add((metric, value, labelValues));
}
