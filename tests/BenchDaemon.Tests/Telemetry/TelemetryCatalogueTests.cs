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

    /// <summary>The GPU names other parts (dashboards, alert rules, regression) are built on: renaming one breaks them.</summary>
    [Theory]
    [InlineData("benchdaemon_gpu_probe_up", MetricKind.Gauge)]
    [InlineData("benchdaemon_gpu_up", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_info", MetricKind.Gauge, "gpu", "uuid", "name", "pci_bus_id", "driver_version", "cuda_driver_version", "compute_capability", "energy_source")]
    [InlineData("benchdaemon_gpu_memory_total_bytes", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_power_limit_watts", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_utilization_ratio", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_memory_utilization_ratio", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_memory_used_bytes", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_memory_free_bytes", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_memory_reserved_bytes", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_power_watts", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_energy_joules_total", MetricKind.Counter, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_clock_hertz", MetricKind.Gauge, "gpu", "uuid", "clock")]
    [InlineData("benchdaemon_gpu_clock_max_hertz", MetricKind.Gauge, "gpu", "uuid", "clock")]
    [InlineData("benchdaemon_gpu_temperature_celsius", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_clock_event_active", MetricKind.Gauge, "gpu", "uuid", "reason")]
    [InlineData("benchdaemon_gpu_clock_event_seconds_total", MetricKind.Counter, "gpu", "uuid", "reason")]
    [InlineData("benchdaemon_gpu_performance_state", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_pcie_throughput_bytes_per_second", MetricKind.Gauge, "gpu", "uuid", "direction")]
    [InlineData("benchdaemon_gpu_pcie_link_generation", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_pcie_link_max_generation", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_pcie_link_width", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_pcie_link_max_width", MetricKind.Gauge, "gpu", "uuid")]
    [InlineData("benchdaemon_gpu_ecc_errors_total", MetricKind.Counter, "gpu", "uuid", "type")]
    [InlineData("benchdaemon_gpu_retired_pages", MetricKind.Gauge, "gpu", "uuid", "cause")]
    [InlineData("benchdaemon_gpu_remapped_rows", MetricKind.Gauge, "gpu", "uuid", "kind")]
    [InlineData("benchdaemon_gpu_xid_errors_total", MetricKind.Counter, "gpu", "uuid", "xid")]
    [InlineData("benchdaemon_gpu_process_memory_used_bytes", MetricKind.Gauge, "gpu", "uuid", "pid", "process")]
    public void GpuContract_NameKindAndLabels(string name, MetricKind kind, params string[] labels)
    {
        var metric = Assert.Single(TelemetryCatalogue.All, m => m.PrometheusName == name);

        Assert.Equal(kind, metric.Kind);
        Assert.Equal(labels, metric.Labels);
    }

    [Fact]
    public void Docs_EveryMetric_Documented()
    {
        var docs = File.ReadAllText(Path.Combine(Support.Repository.Root, "docs", "metrics.md"));

        Assert.All(TelemetryCatalogue.All, m => Assert.Contains("`" + m.PrometheusName, docs, StringComparison.Ordinal));
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex LabelName();
}
