using BenchDaemon.Telemetry;

namespace BenchDaemon.Tests.Telemetry;

/// <summary>A source whose series the test sets directly.</summary>
public sealed class FakeMetricSource : IMetricSource
{
    public List<(MetricDefinition Metric, double Value, string[] Labels)> Series { get; } = [];

    public int Collections { get; private set; }

    public void Collect(IMetricWriter writer)
    {
        Collections++;
        foreach (var (metric, value, labels) in Series)
        {
            writer.Write(metric, value, labels);
        }
    }
}
