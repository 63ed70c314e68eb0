using BenchDaemon.Configuration;
using BenchDaemon.History;
using BenchDaemon.Probes;
using BenchDaemon.Regression;
using BenchDaemon.Telemetry;
using BenchDaemon.Tests.History;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Tests.Regression;

/// <summary>The result fan-out, recorder and monitor as the daemon wires them: a real store, verdicts and events on the metric writer.</summary>
public sealed class RegressionMonitorTests : IDisposable
{
    private readonly TempDirectory _state = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly HistoryDatabase _database;
    private readonly RegressionMonitor _monitor;
    private readonly HistoryRecorder _recorder;
    private readonly BenchDaemon.Scheduling.CanaryResults _results;
    private readonly FakeInventory _gpus = new();

    public RegressionMonitorTests()
    {
        _database = new HistoryDatabase(Options.Create(new HistoryOptions()), Options.Create(new StateOptions { Directory = _state.Path }), NullLogger<HistoryDatabase>.Instance);
        _monitor = new RegressionMonitor(_database, new Scheduling.StaticOptionsMonitor<RegressionOptions>(new RegressionOptions()), _time, NullLogger<RegressionMonitor>.Instance);
        _recorder = new HistoryRecorder(_database, new FingerprintProvider(_gpus, new BenchDaemon.Workers.WorkerRuntime(new BenchDaemon.Workers.RuntimeDescription("1.0.0", ["CPUExecutionProvider"], null)), new ModelHashCache()), _time, NullLogger<HistoryRecorder>.Instance);
        var sink = new BenchDaemon.Scheduling.CanaryResultSink(new TelemetryRecorder(Prometheus.Metrics.NewCustomRegistry()), new BenchDaemon.Scheduling.DutyCycle(_time), _time, NullLogger<BenchDaemon.Scheduling.CanaryResultSink>.Instance);
        _results = new BenchDaemon.Scheduling.CanaryResults(sink, _recorder, _monitor);
    }

    public void Dispose()
    {
        _database.Dispose();
        _state.Dispose();
    }

    [Fact]
    public void Record_StepTwiceSlower_ExportsActiveRatioAndStartThenClearsOnAccept()
    {
        var canary = Canary("gpu-canary", "CUDA");
        // Minimum baseline (10) before the evidence window (12).
        for (var i = 0; i < 30; i++)
        {
            Record(canary, 0.002 * (1 + (0.01 * (i % 3))), confirmation: false);
        }

        Assert.True(Record(canary, 0.004, confirmation: false), "the gate asks for confirmation re-runs");
        var reruns = 1;
        while (Record(canary, 0.004, confirmation: true))
        {
            reruns++;
            Assert.True(reruns <= RegressionDetector.MaxConfirmations, "the gate keeps asking");
        }

        // The default k re-runs, then open: no more re-runs.
        Assert.Equal(DetectorSettings.DefaultConfirmationRuns, reruns);
        var metrics = Collect();
        Assert.Equal(1, metrics[("benchdaemon_regression_active", "latency_p50")]);
        Assert.InRange(metrics[("benchdaemon_regression_ratio", "latency_p50")], 1.8, 2.2);
        Assert.True(metrics[("benchdaemon_regression_ratio_lower", "latency_p50")] > 1.05);
        Assert.True(metrics.ContainsKey(("benchdaemon_regression_start_timestamp_seconds", "latency_p50")));
        Assert.Equal(1, metrics[("benchdaemon_regression_active", "throughput")]);
        Assert.Equal(1, metrics[("benchdaemon_regression_active", "latency_p99")]);
        Assert.InRange(metrics[("benchdaemon_regression_ratio", "throughput")], 0.45, 0.55);

        // A CLI process accepts the new level; the daemon sees it within the refresh interval.
        using (var cli = HistoryStore.OpenRead(_database.Path))
        {
            cli.CloseRegressions(null, "gpu-canary", null, _time.GetUtcNow(), "accepted");
        }

        _monitor.Refresh();
        var after = Collect();
        Assert.Equal(0, after[("benchdaemon_regression_active", "latency_p50")]);
        Assert.False(after.ContainsKey(("benchdaemon_regression_start_timestamp_seconds", "latency_p50")));
    }

    [Fact]
    public void Record_DriverUpdate_StoresEventExportsChangeAndStartsNewSeries()
    {
        var canary = Canary("gpu-canary", "CUDA");
        _gpus.Driver = "580.95.05";
        Record(canary, 0.002, false);
        _gpus.Driver = "585.10.01";
        Record(canary, 0.002, false);

        var writer = new RecordingWriter();
        _recorder.Collect(writer);

        var change = Assert.Single(writer.Values, v => v.Metric == "benchdaemon_environment_change_timestamp_seconds");
        Assert.Equal(["driver_version", "580.95.05", "585.10.01"], change.Labels);
        Assert.Contains(writer.Values, v => v.Metric == "benchdaemon_history_runs_total" && v.Labels[0] == "ok" && v.Value == 2);
        var store = _database.Store!;
        Assert.Single(store.Events("gpu-canary", HistoryEventKinds.EnvironmentChange));
        Assert.Equal(2, store.Runs("gpu-canary").Select(r => r.Series).Distinct().Count());
    }

    private bool Record(CanaryDefinition canary, double level, bool confirmation)
    {
        _time.Advance(TimeSpan.FromMinutes(1));
        var result = Runs.Level(canary.Name, _time.GetUtcNow(), level) with { Provider = canary.Provider };
        _results.Publish(canary, result, confirmation);
        return _monitor.WantsConfirmation(canary.Name, result.Batch);
    }

    private Dictionary<(string Metric, string Label), double> Collect()
    {
        var writer = new RecordingWriter();
        _monitor.Collect(writer);
        return writer.Values.ToDictionary(v => (v.Metric, v.Labels[^1]), v => v.Value);
    }

    private static CanaryDefinition Canary(string name, string provider) => new(
        name, "builtin:mlp", new Dictionary<Precision, string>(), provider, new Dictionary<string, string> { ["device_id"] = "0" }, Precision.FP32, [1], 0,
        Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL, new Dictionary<string, long>(), new Dictionary<string, string>(), 1, new MeasureOptions(),
        new CanarySchedule(TimeSpan.FromMinutes(1), null, TimeSpan.Zero));

    private sealed class FakeInventory : IGpuInventory
    {
        public string Driver { get; set; } = "580.95.05";

        public IReadOnlyList<GpuIdentity> Gpus => [new GpuIdentity(0, "GPU-1", "NVIDIA H100", "00000000:1A:00.0", Driver, "13.0", "9.0", 80L << 30, 700)];
    }

    private sealed class RecordingWriter : IMetricWriter
    {
        public List<(string Metric, double Value, string[] Labels)> Values { get; } = [];

        public void Write(MetricDefinition metric, double value, params string[] labelValues) => Values.Add((metric.PrometheusName, value, labelValues));
    }
}
