using System.Text.RegularExpressions;
using BenchDaemon.Telemetry;

namespace BenchDaemon.Tests.Telemetry;

public sealed partial class TelemetryCatalogueTests
{
    [Fact]
    public void All_Names_FollowPrometheusConventions()
    {
        foreach (var metric in TelemetryCatalogue.All)
        {
            Assert.Matches(MetricName(), metric.PrometheusName);
            // One prefix for the daemon's own metrics; process_* and dotnet_* are the conventional self-metrics.
            Assert.True(
                metric.PrometheusName.StartsWith("benchdaemon_", StringComparison.Ordinal)
                || metric.PrometheusName.StartsWith("process_", StringComparison.Ordinal)
                || metric.PrometheusName.StartsWith("dotnet_", StringComparison.Ordinal),
                metric.PrometheusName);
            Assert.Equal(metric.Kind == MetricKind.Counter, metric.PrometheusName.EndsWith("_total", StringComparison.Ordinal));
            Assert.False(string.IsNullOrWhiteSpace(metric.Help));
            Assert.All(metric.Labels, label => Assert.Matches(LabelName(), label));
        }
    }

    [Fact]
    public void All_Names_AreUnique()
    {
        var names = TelemetryCatalogue.All.Select(m => m.PrometheusName).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("benchdaemon_host_cpu", MetricKind.Counter, MetricUnit.Seconds, "benchdaemon_host_cpu_seconds_total", "s")]
    [InlineData("benchdaemon_host_energy", MetricKind.Counter, MetricUnit.Joules, "benchdaemon_host_energy_joules_total", "J")]
    [InlineData("benchdaemon_host_memory_total", MetricKind.Gauge, MetricUnit.Bytes, "benchdaemon_host_memory_total_bytes", "By")]
    [InlineData("benchdaemon_build", MetricKind.Gauge, MetricUnit.Info, "benchdaemon_build_info", null)]
    [InlineData("benchdaemon_host_load1", MetricKind.Gauge, MetricUnit.None, "benchdaemon_host_load1", null)]
    public void PrometheusName_DerivedFromUnitAndKind(string name, MetricKind kind, MetricUnit unit, string expected, string? otlpUnit)
    {
        var metric = new MetricDefinition(name, kind, unit, "help");

        Assert.Equal(expected, metric.PrometheusName);
        Assert.Equal(otlpUnit, metric.OtlpUnit);
    }

    [Fact]
    public void DesignContract_CoreHostNames_AreDeclared()
    {
        var names = TelemetryCatalogue.All.Select(m => m.PrometheusName).ToHashSet();

        Assert.Contains("benchdaemon_build_info", names);
        Assert.Contains("benchdaemon_host_cpu_seconds_total", names);
        Assert.Contains("benchdaemon_host_memory_total_bytes", names);
        Assert.Contains("benchdaemon_host_memory_available_bytes", names);
        Assert.Contains("benchdaemon_host_energy_joules_total", names);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex LabelName();
}
