using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Tests.Telemetry;

/// <summary>
/// The series budget of one node (docs/metrics.md, "Series per node"): 8 GPUs (the fake NVML)
/// and 20 canaries × 2 batch sizes, every canary judged by the regression gate, stay within
/// 3 000 series and 300 KB per scrape at the default latency-histogram resolution.
/// </summary>
public sealed partial class SeriesBudgetTests(ITestOutputHelper output) : IDisposable
{
    private const int Canaries = 20;
    private const int Lanes = Canaries * 2;
    private const int SeriesBudget = 3_000;
    private const int BytesBudget = 300_000;

    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Scrape_EightGpusTwentyCanariesTwoBatchSizesJudged_WithinTheBudget()
    {
        var model = _state.File("mlp.onnx", string.Empty);
        await File.WriteAllBytesAsync(model, TinyModels.Mlp(), TestContext.Current.CancellationToken);
        var canaries = string.Join(",\n", Enumerable.Range(1, Canaries).Select(i => $$"""
            { "Name": "canary-{{i:00}}", "Model": "{{model}}", "Interval": "00:00:02", "Threads": 1, "BatchSizes": [1, 2],
              "Measure": { "MinIterations": 20, "MinDuration": "00:00:00.020", "MaxDuration": "00:00:00.040", "WarmupMinIterations": 2, "WarmupMaxDuration": "00:00:00.020" } }
            """));
        // The gate judges after 3 baseline runs and 2 of evidence (defaults 10 and more), so
        // every lane exports its verdict series within a few minutes.
        var config = _state.File("budget.json", $$"""
            { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1, "QueueLength": {{Lanes}} },
              "Regression": { "MinimumBaseline": 3, "EvidenceWindow": 2 },
              "Canaries": [ {{canaries}} ] }
            """);
        var environment = new Dictionary<string, string> { ["FAKE_NVML_SCRIPT"] = _state.File("fake-nvml.script", "count 8\n") };
        await using var daemon = DaemonProcess.Start(_state.Path, ["--config", config, "--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}"], environment);

        // Every lane judged on latency_p50, latency_p99 and throughput: the verdict families at their fullest.
        var metrics = await Scrape.UntilAsync(daemon, m => RatioLine().Count(m) >= Lanes * 3, $"a regression ratio for each of {Lanes} lanes and 3 metrics", TimeSpan.FromMinutes(6));

        var series = metrics.Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToList();
        var bytes = Encoding.UTF8.GetByteCount(metrics);
        var families = series.GroupBy(l => Regex.Match(l, "^[a-z_:0-9]+").Value).OrderByDescending(g => g.Count()).Take(8);
        output.WriteLine($"{series.Count} series, {bytes} bytes; largest families: {string.Join(", ", families.Select(f => $"{f.Key} {f.Count()}"))}");

        // The budget is measured on a full node, not an empty scrape.
        Assert.Equal(8, Count(series, "benchdaemon_gpu_up{"));
        Assert.Equal(Lanes, Count(series, "benchdaemon_canary_latency_seconds_count{"));
        Assert.Equal(Lanes * 7, Count(series, "benchdaemon_canary_last_latency_seconds{"));
        Assert.True(series.Count <= SeriesBudget, $"{series.Count} series > {SeriesBudget}");
        Assert.True(bytes <= BytesBudget, $"{bytes} bytes > {BytesBudget}");
        // The formula of docs/metrics.md: 21 latency-histogram series per lane at the default resolution.
        Assert.Equal(Lanes * 21, Count(series, "benchdaemon_canary_latency_seconds_"));
        Assert.Equal(18, Count(series, "benchdaemon_canary_start_delay_seconds_"));
    }

    private static int Count(List<string> series, string prefix) => series.Count(l => l.StartsWith(prefix, StringComparison.Ordinal));

    [GeneratedRegex("(?m)^benchdaemon_regression_ratio\\{")]
    private static partial Regex RatioLine();
}
