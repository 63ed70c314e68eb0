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
    private static readonly DateTimeOffset s_start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _state = new();
    private readonly FakeTimeProvider _time = new(s_start);
    private int _scheduled;
    private readonly HistoryDatabase _database;
    private readonly RegressionMonitor _monitor;
    private readonly HistoryRecorder _recorder;
    private readonly BenchDaemon.Scheduling.CanaryResults _results;
    private readonly FakeInventory _gpus = new();

    public RegressionMonitorTests()
    {
        _database = new HistoryDatabase(Options.Create(new HistoryOptions()), Options.Create(new StateOptions { Directory = _state.Path }), NullLogger<HistoryDatabase>.Instance);
        _monitor = new RegressionMonitor(_database, new Scheduling.StaticOptionsMonitor<RegressionOptions>(new RegressionOptions()), _time, NullLogger<RegressionMonitor>.Instance);
        _recorder = new HistoryRecorder(_database, new FingerprintProvider(_gpus, Runtime, new ModelHashCache()), _time, NullLogger<HistoryRecorder>.Instance);
        var sink = new CanaryResultSink(new TelemetryRecorder(Prometheus.Metrics.NewCustomRegistry()), _time, NullLogger<CanaryResultSink>.Instance);
        _results = new BenchDaemon.Scheduling.CanaryResults(sink, _recorder, _monitor);
    }

    public void Dispose()
    {
        _database.Dispose();
        _state.Dispose();
    }

    [Fact]
    public void Record_StepTwiceSlower_AsksForSpacedReRunsThenExportsActiveRatioAndStartThenClearsOnAccept()
    {
        var canary = Canary("gpu-canary", "CUDA");
        // Minimum baseline (10) before the evidence window (12), one run every 15 minutes.
        for (var i = 0; i < 30; i++)
        {
            Scheduled(canary, 0.002 * (1 + (0.01 * (i % 3))));
            Assert.Null(_monitor.Next("gpu-canary", 1));
        }

        // The first slow run: nothing is due now (the coordinator's loop of immediate re-runs
        // ends), but the gate wants a re-run three minutes after the run.
        var slowRun = _time.GetUtcNow() + Cadence;
        Assert.False(Scheduled(canary, 0.004), "with a confirmation gap nothing is due at once");
        var request = Assert.IsType<ConfirmationRequest>(_monitor.Next("gpu-canary", 1));
        Assert.Equal(slowRun + DetectorSettings.DefaultConfirmationGap, request.NotBefore);
        Assert.Contains(RegressionMetricNames.LatencyP50, request.Metrics);

        // Run what the gate asks for, at the time it asks, until the next scheduled run; then the next scheduled run.
        var scheduled = 1;
        var reruns = 0;
        while (Collect().GetValueOrDefault(("benchdaemon_regression_active", "latency_p50")) == 0)
        {
            Assert.True(scheduled <= 3, "not open within three scheduled runs");
            var next = slowRun + (Cadence * scheduled);
            while (_monitor.Next("gpu-canary", 1) is { } wanted && wanted.NotBefore < next)
            {
                _time.SetUtcNow(wanted.NotBefore);
                Record(canary, 0.004, confirmation: true);
                reruns++;
            }

            if (Collect().GetValueOrDefault(("benchdaemon_regression_active", "latency_p50")) == 0)
            {
                Scheduled(canary, 0.004);
                scheduled++;
            }
        }

        // Persistence: two scheduled runs at the new level, and never more re-runs than fit.
        Assert.InRange(scheduled, 2, 3);
        Assert.InRange(reruns, 1, DetectorSettings.DefaultConfirmationRuns * scheduled);
        Assert.Null(_monitor.Next("gpu-canary", 1));
        var metrics = Collect();
        Assert.InRange(metrics[("benchdaemon_regression_ratio", "latency_p50")], 1.8, 2.2);
        Assert.True(metrics[("benchdaemon_regression_ratio_lower", "latency_p50")] > 1.05);
        Assert.True(metrics.ContainsKey(("benchdaemon_regression_start_timestamp_seconds", "latency_p50")));
        Assert.Equal(1, metrics[("benchdaemon_regression_active", "throughput")]);
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
    public void Judge_ZeroGap_ConfirmationDueAtOnce()
    {
        // Regression:ConfirmationGap 0 keeps the old behaviour: the coordinator re-runs at once.
        var monitor = new RegressionMonitor(_database, new Scheduling.StaticOptionsMonitor<RegressionOptions>(new RegressionOptions { ConfirmationGap = TimeSpan.Zero }), _time, NullLogger<RegressionMonitor>.Instance);
        var sink = new CanaryResultSink(new TelemetryRecorder(Prometheus.Metrics.NewCustomRegistry()), _time, NullLogger<CanaryResultSink>.Instance);
        var results = new BenchDaemon.Scheduling.CanaryResults(sink, _recorder, monitor);
        var canary = Canary("cpu-canary", "CPU");
        for (var i = 0; i < 30; i++)
        {
            _time.Advance(Cadence);
            results.Publish(canary, Runs.Level(canary.Name, _time.GetUtcNow(), 0.002 * (1 + (0.01 * (i % 3)))) with { Provider = canary.Provider });
            Assert.Null(monitor.Next("cpu-canary", 1));
        }

        _time.Advance(Cadence);
        results.Publish(canary, Runs.Level(canary.Name, _time.GetUtcNow(), 0.004) with { Provider = canary.Provider });

        Assert.Equal(_time.GetUtcNow(), monitor.Next("cpu-canary", 1)!.NotBefore);
    }

    [Fact]
    public void Judge_DisturbedRunsInTheStore_NeverOpen()
    {
        // Runs the coordinator marked disturbed (stored with the flag) are twice as slow; they
        // may ask for a re-run but never count as evidence.
        var canary = Canary("gpu-canary", "CUDA");
        for (var i = 0; i < 30; i++)
        {
            Scheduled(canary, 0.002 * (1 + (0.01 * (i % 3))));
        }

        var store = _database.Store!;
        var fingerprint = new FingerprintProvider(_gpus, Runtime, new ModelHashCache());
        for (var i = 0; i < 6; i++)
        {
            _time.Advance(Cadence);
            var result = Runs.Level(canary.Name, _time.GetUtcNow(), 0.004) with { Provider = canary.Provider };
            var print = fingerprint.For(canary, result);
            store.Insert(result, print, confirmation: false, keepSamples: false, disturbed: true);
            _monitor.Judge(canary, result, HistoryStore.SeriesKey(canary.Name, 1, print.Key()));
        }

        Assert.Equal(0, Collect()[("benchdaemon_regression_active", "latency_p50")]);
        Assert.NotNull(_monitor.Next("gpu-canary", 1));
    }

    [Fact]
    public void Record_DriverUpdate_StoresEventExportsChangeAndStartsNewSeries()
    {
        var canary = Canary("gpu-canary", "CUDA");
        _gpus.Driver = "580.95.05";
        Scheduled(canary, 0.002);
        _gpus.Driver = "585.10.01";
        Scheduled(canary, 0.002);

        var writer = new RecordingWriter();
        _recorder.Collect(writer);

        var change = Assert.Single(writer.Values, v => v.Metric == "benchdaemon_environment_change_timestamp_seconds");
        Assert.Equal(["driver_version", "580.95.05", "585.10.01"], change.Labels);
        Assert.Contains(writer.Values, v => v.Metric == "benchdaemon_history_runs_total" && v.Labels[0] == "ok" && v.Value == 2);
        var store = _database.Store!;
        Assert.Single(store.Events("gpu-canary", HistoryEventKinds.EnvironmentChange));
        Assert.Equal(2, store.Runs("gpu-canary").Select(r => r.Series).Distinct().Count());
    }

    [Fact]
    public void HostShift_EveryCanaryOfTheLaneSlowerForTwoMinutesWithNoOtherProcess_OpensNothing()
    {
        // The live experiment's weather (bench/README.md): a 2-core VM slowed four canaries
        // every 30 s by 40 % at once for a few minutes, with no process to show for it.
        var lane = QuietLane();
        Rounds(lane, 40, 46, r => 1.4);
        Rounds(lane, 46, 60, r => 1.0);

        using var store = HistoryStore.OpenRead(_database.Path);
        Assert.Empty(store.Regressions());
        Assert.All(lane, c => Assert.DoesNotContain(Collect(c.Name), e => e.Key.Metric == "benchdaemon_regression_active" && e.Value != 0));
    }

    [Fact]
    public void HostShift_EndingWhileOneCanaryIsHalfwayBack_OpensNothing()
    {
        // The live experiment's end of a shift: the last canary of the round measured across the
        // end of it (10 % slow) after the others were back; it is the same host shift, not a
        // regression of its own.
        var lane = QuietLane();
        Rounds(lane, 40, 46, r => 1.4);
        Round(lane, 46, c => c == lane[^1] ? 1.1 : 1.0);
        Round(lane, 47, c => c == lane[^1] ? 1.05 : 1.0);
        Rounds(lane, 48, 60, r => 1.0);

        using var store = HistoryStore.OpenRead(_database.Path);
        Assert.Empty(store.Regressions());
    }

    [Fact]
    public void HostShift_LastingPastTheHold_OpensDatedFromItsStart()
    {
        var lane = QuietLane();
        var shiftStart = RoundTime(40, 0);
        var opened = -1;
        for (var round = 40; round < 70 && opened < 0; round++)
        {
            Round(lane, round, r => 1.4);
            using var store = HistoryStore.OpenRead(_database.Path);
            if (store.Regressions(canary: "lane-0").Any(r => r.Metric == RegressionMetricNames.LatencyP50))
            {
                opened = round;
            }
        }

        // Held for the default ten minutes (20 rounds of 30 s), then open from the first slow run.
        Assert.True(opened is >= 40 + 20 and <= 40 + 23, $"opened in round {opened}");
        using (var store = HistoryStore.OpenRead(_database.Path))
        {
            var regression = store.Regressions(canary: "lane-0").Single(r => r.Metric == RegressionMetricNames.LatencyP50);
            Assert.InRange(regression.Open.StartTime, shiftStart, shiftStart + TimeSpan.FromMinutes(1.5));
        }
    }

    [Fact]
    public void HostShift_ACompetitorOnTheCpusExplainsIt_OpensWithinThreeRuns()
    {
        // The same shift, but another process keeps a CPU busy while it lasts: someone's work,
        // which users want to hear about at once.
        var lane = QuietLane();
        var opened = -1;
        for (var round = 40; round < 46 && opened < 0; round++)
        {
            Round(lane, round, r => 1.4, foreignCpus: 0.5);
            if (lane.All(c => Collect(c.Name).GetValueOrDefault(("benchdaemon_regression_active", RegressionMetricNames.LatencyP50)) == 1))
            {
                opened = round;
            }
        }

        Assert.InRange(opened, 40, 42);
    }

    [Fact]
    public void HostShift_OneCanaryAloneSlower_OpensWithinThreeRuns()
    {
        var lane = QuietLane();
        var opened = -1;
        for (var round = 40; round < 46 && opened < 0; round++)
        {
            Round(lane, round, r => r.Name == "lane-2" ? 1.4 : 1.0);
            using var store = HistoryStore.OpenRead(_database.Path);
            if (store.Regressions(canary: "lane-2").Any())
            {
                opened = round;
            }
        }

        Assert.InRange(opened, 40, 42);
        using (var store = HistoryStore.OpenRead(_database.Path))
        {
            Assert.DoesNotContain(store.Regressions(), r => r.Canary != "lane-2");
        }
    }

    // Four CPU canaries at different levels, one lane.
    private static CanaryDefinition[] Lane() => [.. Enumerable.Range(0, 4).Select(i => Canary($"lane-{i}", "CPU"))];

    // The lane after 40 quiet rounds (20 minutes): its baselines learnt.
    private CanaryDefinition[] QuietLane()
    {
        var lane = Lane();
        Rounds(lane, 0, 40, r => 1.0);
        return lane;
    }

    private void Rounds(CanaryDefinition[] lane, int from, int to, Func<CanaryDefinition, double> factor)
    {
        for (var round = from; round < to; round++)
        {
            Round(lane, round, factor);
        }
    }

    // Every canary of the lane once, 5 s apart, rounds 30 s apart; each at its level times factor,
    // with the run-to-run noise of a quiet host (±1 %).
    private void Round(CanaryDefinition[] lane, int round, Func<CanaryDefinition, double> factor, double foreignCpus = 0)
    {
        for (var i = 0; i < lane.Length; i++)
        {
            _time.SetUtcNow(RoundTime(round, i));
            var level = 0.001 * (i + 1) * factor(lane[i]) * (1 + (0.01 * ((round + i) % 3)));
            var result = Runs.Level(lane[i].Name, _time.GetUtcNow(), level, seed: round) with { Provider = "CPU", ForeignCpus = foreignCpus };
            _results.Publish(lane[i], result, false);
        }
    }

    private static DateTimeOffset RoundTime(int round, int index) => s_start + TimeSpan.FromSeconds((30 * round) + (5 * index));

    private static readonly TimeSpan Cadence = TimeSpan.FromMinutes(15);

    private static BenchDaemon.Workers.WorkerRuntime Runtime => new(new BenchDaemon.Workers.RuntimeDescription("1.0.0", ["CPUExecutionProvider"], null));

    // A scheduled run one cadence after the last one.
    private bool Scheduled(CanaryDefinition canary, double level)
    {
        _time.SetUtcNow(s_start + (Cadence * ++_scheduled));
        return Record(canary, level, confirmation: false);
    }

    private bool Record(CanaryDefinition canary, double level, bool confirmation)
    {
        var result = Runs.Level(canary.Name, _time.GetUtcNow(), level) with { Provider = canary.Provider };
        _results.Publish(canary, result, confirmation);
        return _monitor.Next(canary.Name, result.Batch) is { } due && due.NotBefore <= _time.GetUtcNow();
    }

    private Dictionary<(string Metric, string Label), double> Collect(string? canary = null)
    {
        var writer = new RecordingWriter();
        _monitor.Collect(writer);
        return writer.Values.Where(v => canary is null || v.Labels[0] == canary).ToDictionary(v => (v.Metric, v.Labels[^1]), v => v.Value);
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
