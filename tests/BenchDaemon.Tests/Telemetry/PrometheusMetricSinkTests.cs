using BenchDaemon.Telemetry;
using Prometheus;

namespace BenchDaemon.Tests.Telemetry;

public sealed class PrometheusMetricSinkTests
{
    private readonly FakeMetricSource _source = new();
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();

    public PrometheusMetricSinkTests()
    {
        _ = new PrometheusMetricSink(_registry, [_source]);
    }

    [Fact]
    public async Task Scrape_WritesSourceValuesWithExactNamesAndTypes()
    {
        _source.Series.Add((TelemetryCatalogue.HostCpuSeconds, 12.5, ["user"]));
        _source.Series.Add((TelemetryCatalogue.HostMemoryTotal, 1024, []));

        var text = await ScrapeAsync();

        Assert.Contains("# TYPE benchdaemon_host_cpu_seconds_total counter", text, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_host_cpu_seconds_total{mode=\"user\"} 12.5", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE benchdaemon_host_memory_total_bytes gauge", text, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_host_memory_total_bytes 1024", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_MetricNeverWritten_IsAbsent()
    {
        _source.Series.Add((TelemetryCatalogue.HostMemoryTotal, 1024, []));

        var text = await ScrapeAsync();

        Assert.DoesNotContain("benchdaemon_host_energy_joules_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_SeriesNoLongerWritten_IsUnpublished()
    {
        _source.Series.Add((TelemetryCatalogue.HostEnergy, 5, ["package-0"]));
        _source.Series.Add((TelemetryCatalogue.HostEnergy, 2, ["dram-0"]));
        Assert.Contains("domain=\"dram-0\"", await ScrapeAsync(), StringComparison.Ordinal);

        _source.Series.RemoveAt(1);
        var text = await ScrapeAsync();

        Assert.Contains("benchdaemon_host_energy_joules_total{domain=\"package-0\"} 5", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dram-0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_CounterThatVanishesAndComesBack_StartsFromItsSourceAgain()
    {
        // A reused pid, or NVLink counters after a driver reload: the series that comes back is
        // a new one (Prometheus reads the drop as a reset), not the old value frozen above it.
        _source.Series.Add((TelemetryCatalogue.HostEnergy, 500, ["package-0"]));
        await ScrapeAsync();
        _source.Series.Clear();
        Assert.DoesNotContain("package-0", await ScrapeAsync(), StringComparison.Ordinal);

        _source.Series.Add((TelemetryCatalogue.HostEnergy, 3, ["package-0"]));
        var text = await ScrapeAsync();

        Assert.Contains("benchdaemon_host_energy_joules_total{domain=\"package-0\"} 3", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_CounterSourceStepsBack_NeverDecreases()
    {
        // /proc/stat iowait may step back; a Prometheus counter must not.
        _source.Series.Add((TelemetryCatalogue.HostCpuSeconds, 10, ["iowait"]));
        await ScrapeAsync();
        _source.Series[0] = (TelemetryCatalogue.HostCpuSeconds, 9.5, ["iowait"]);

        var text = await ScrapeAsync();

        Assert.Contains("benchdaemon_host_cpu_seconds_total{mode=\"iowait\"} 10", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_ProcessSource_PublishesSelfMetrics()
    {
        var registry = Metrics.NewCustomRegistry();
        _ = new PrometheusMetricSink(registry, [new ProcessMetricSource()]);
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());

        Assert.Matches(@"(?m)^process_cpu_seconds_total [0-9.e+-]+$", text);
        Assert.Matches(@"(?m)^process_resident_memory_bytes [1-9][0-9.e+]*$", text);
        Assert.Matches(@"(?m)^process_open_fds [1-9][0-9]*$", text);
        Assert.Contains("dotnet_gc_collections_total{generation=\"0\"}", text, StringComparison.Ordinal);
    }

    private async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
