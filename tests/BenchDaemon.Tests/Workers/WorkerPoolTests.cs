using System.Diagnostics;
using BenchDaemon.Probes;
using BenchDaemon.Scheduling;
using BenchDaemon.Tests.Scheduling;
using BenchDaemon.Telemetry;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace BenchDaemon.Tests.Workers;

/// <summary>
/// The worker pool against real worker processes (the built <c>benchdaemon.dll</c>) running
/// models whose custom operators crash, abort, hang or grow: every fault is a result with its
/// reason, the caller is untouched, and the next request gets a fresh worker.
/// </summary>
[Trait("Category", "Fault")]
public sealed class WorkerPoolTests : IDisposable
{
    private readonly TempDirectory _state = new();
    private readonly FakeLogCollector _logs = new();
    private readonly ILoggerFactory _loggers;
    private readonly string _mlp;

    public WorkerPoolTests()
    {
        _loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(_logs)));
        _mlp = Path.Combine(_state.Path, "mlp.onnx");
        File.WriteAllBytes(_mlp, TinyModels.Mlp());
    }

    public void Dispose()
    {
        _loggers.Dispose();
        _state.Dispose();
    }

    public static TheoryData<string, string> Crashes => new() { { "Crash", "SIGSEGV (11)" }, { "Abort", "SIGABRT (6)" } };

    [Theory]
    [MemberData(nameof(Crashes))]
    public async Task RunAsync_NativeCodeCrashes_FailedAsWorkerCrashedNamingTheSignalAndTheNextRunMeasures(string op, string signal)
    {
        using var pool = Pool();

        var crashed = await pool.RunAsync(Canary("fault", FaultOps.Model(_state.Path, op), FaultOps.Library), 1, CancellationToken.None);
        var next = await pool.RunAsync(Canary("mlp", _mlp), 1, CancellationToken.None);

        Assert.Equal(CanaryStatus.Failed, crashed.Status);
        Assert.Equal(ReasonCodes.WorkerCrashed, crashed.ReasonCode);
        Assert.Contains($"killed by signal {signal}", crashed.Reason, StringComparison.Ordinal);
        Assert.Contains("; last log line: Canary fault batch 1: measuring", crashed.Reason, StringComparison.Ordinal);
        Assert.NotNull(next.LatencySeconds);
        Assert.Equal(next.Iterations, next.Samples.Count);
        var metrics = Collect(pool);
        Assert.Equal(2, metrics[(TelemetryCatalogue.WorkerStarts.PrometheusName, "cpu")]);
        Assert.Equal(1, metrics[(TelemetryCatalogue.WorkerExits.PrometheusName, "cpu,crashed")]);
    }

    [Fact]
    public async Task RunAsync_NativeCallNeverReturns_KilledAtBudgetPlusGraceAsTimeout()
    {
        using var pool = Pool(new WorkerOptions { KillGrace = TimeSpan.FromSeconds(1) });
        var canary = Canary("hang", FaultOps.Model(_state.Path, "Hang"), FaultOps.Library, budget: TimeSpan.FromSeconds(1));

        var clock = Stopwatch.StartNew();
        var running = pool.RunAsync(canary, 1, CancellationToken.None);
        var worker = await WorkerOfAsync(pool);
        var result = await running;
        clock.Stop();

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.True(result.ReasonCode == ReasonCodes.Timeout, result.Reason);
        Assert.Contains("in phase measuring", result.Reason, StringComparison.Ordinal);
        // Budget 1 s + ONNX Runtime's in-run grace 1 s + the kill grace 1 s, counted from the window's start.
        Assert.InRange(clock.Elapsed.TotalSeconds, 3, 20);
        Assert.False(WorkerProcesses.Alive(worker));
        Assert.Equal(1, Collect(pool)[(TelemetryCatalogue.WorkerExits.PrometheusName, "cpu,timeout")]);
    }

    [Fact]
    public async Task RunAsync_NativeCodeAllocatesWithoutBound_KilledAtTheCanaryMemoryLimitAsOutOfMemory()
    {
        using var pool = Pool();
        var canary = Canary("grow", FaultOps.Model(_state.Path, "Grow"), FaultOps.Library, memoryMegabytes: 300);

        var running = pool.RunAsync(canary, 1, CancellationToken.None);
        var worker = await WorkerOfAsync(pool);
        var result = await running;

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Equal(ReasonCodes.OutOfMemory, result.ReasonCode);
        Assert.Contains("above its limit of 300 MiB", result.Reason, StringComparison.Ordinal);
        Assert.True(result.WorkerPeakResidentBytes > 300L << 20, $"peak {result.WorkerPeakResidentBytes}");
        Assert.False(WorkerProcesses.Alive(worker));
    }

    [Fact]
    public async Task RunAsync_CancelledWhileNativeCodeHangs_InterruptedAndNoWorkerLeft()
    {
        using var pool = Pool(new WorkerOptions { CancelGrace = TimeSpan.FromSeconds(1) });
        using var stop = new CancellationTokenSource();
        var running = pool.RunAsync(Canary("hang", FaultOps.Model(_state.Path, "Hang"), FaultOps.Library, budget: TimeSpan.FromMinutes(5)), 1, stop.Token);
        var worker = await WorkerOfAsync(pool);
        // In the native call (cancelled earlier, the run would stop by itself and the worker stay).
        await WaitUntilAsync(() => _logs.GetSnapshot().Any(r => r.Message == "Canary hang batch 1: measuring (warm-up and measured window)"));
        await FaultOps.WaitUntilHangingAsync(worker, TimeSpan.FromSeconds(30));
        stop.Cancel();
        var result = await running.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Equal(ReasonCodes.Shutdown, result.ReasonCode);
        Assert.False(WorkerProcesses.Alive(worker));
    }

    [Fact]
    public async Task RunAsync_TerminalOrServiceSignalsReachTheWorker_TheRunGoesOn()
    {
        // Ctrl+C reaches the whole foreground process group; so does a service stop without
        // KillMode=mixed. The daemon ends its workers itself; the worker ignores them.
        using var pool = Pool();
        var canary = Canary("mlp", _mlp) with { Measure = new MeasureOptions { MinIterations = 20, MinDuration = TimeSpan.FromSeconds(3), WarmupMinIterations = 5, WarmupMaxIterations = 5, Budget = TimeSpan.FromSeconds(20) } };
        var running = pool.RunAsync(canary, 1, CancellationToken.None);
        var worker = await WorkerOfAsync(pool);
        await WaitUntilAsync(() => _logs.GetSnapshot().Any(r => r.Message == "Canary mlp batch 1: measuring (warm-up and measured window)"));

        foreach (var signal in new[] { Signals.SigTerm, Signals.SigInt, Signals.SigHup })
        {
            Signals.Send(worker, signal);
        }

        var result = await running;

        Assert.NotNull(result.LatencySeconds);
        Assert.True(WorkerProcesses.Alive(worker));
    }

    [Fact]
    public async Task Dispose_WhileARunHangs_KillsTheWorker()
    {
        var pool = Pool();
        var running = pool.RunAsync(Canary("hang", FaultOps.Model(_state.Path, "Hang"), FaultOps.Library, budget: TimeSpan.FromMinutes(5)), 1, CancellationToken.None);
        var worker = await WorkerOfAsync(pool);
        await WaitUntilAsync(() => _logs.GetSnapshot().Any(r => r.Message == "Canary hang batch 1: measuring (warm-up and measured window)"));

        pool.Dispose();
        var result = await running.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.False(WorkerProcesses.Alive(worker));
        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Equal(ReasonCodes.Shutdown, result.ReasonCode);
    }

    [Fact]
    public async Task RunAsync_ConsecutiveRuns_ReuseOneWorkerThatEndsWhenIdle()
    {
        using var pool = Pool(new WorkerOptions { IdleTimeout = TimeSpan.FromSeconds(1) });

        var first = await pool.RunAsync(Canary("mlp", _mlp), 1, CancellationToken.None);
        var worker = await WorkerOfAsync(pool);
        var second = await pool.RunAsync(Canary("mlp", _mlp), 2, CancellationToken.None);

        Assert.NotNull(first.LatencySeconds);
        Assert.NotNull(second.LatencySeconds);
        Assert.True(WorkerProcesses.Alive(worker));
        Assert.Equal(1, Collect(pool)[(TelemetryCatalogue.WorkerStarts.PrometheusName, "cpu")]);
        await WaitUntilAsync(() => !WorkerProcesses.Alive(worker));
        Assert.Equal(1, Collect(pool)[(TelemetryCatalogue.WorkerExits.PrometheusName, "cpu,idle")]);
    }

    [Fact]
    public async Task RunAsync_WorkerLargerThanTheRecycleLimit_EndedAfterItsRun()
    {
        using var pool = Pool(new WorkerOptions { RecycleAboveMegabytes = 64 });

        var running = pool.RunAsync(Canary("mlp", _mlp), 1, CancellationToken.None);
        var worker = await WorkerOfAsync(pool);
        var result = await running;

        Assert.NotNull(result.LatencySeconds);
        Assert.True(result.WorkerPeakResidentBytes > 64L << 20);
        await WaitUntilAsync(() => !WorkerProcesses.Alive(worker));
        Assert.Equal(1, Collect(pool)[(TelemetryCatalogue.WorkerExits.PrometheusName, "cpu,recycled")]);
    }

    [Fact]
    public async Task RunAsync_Worker_KeepsTheRuntimesYoungGenerationBudget_WhileTheDaemonCapsItsOwn()
    {
        // The daemon (this executable's runtimeconfig.json) collects its young generation every
        // 6 MiB; a worker, the same executable, is told to keep the runtime's default.
        var runtimeConfig = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(DaemonProcess.DllPath, ".runtimeconfig.json")))!;
        Assert.Equal(6L << 20, runtimeConfig["runtimeOptions"]!["configProperties"]!["System.GC.Gen0MaxBudget"]!.GetValue<long>());
        using var pool = Pool();

        var running = pool.RunAsync(Canary("mlp", _mlp), 1, CancellationToken.None);
        var worker = await WorkerOfAsync(pool);
        var environment = File.ReadAllText($"/proc/{worker.ToString(System.Globalization.CultureInfo.InvariantCulture)}/environ").Split('\0');
        await running;

        Assert.Contains("DOTNET_GCGen0MaxBudget=0", environment);
    }

    [Fact]
    public async Task RunAsync_WorkerSpeaksAnotherProtocol_FailedAsWorkerUnavailable()
    {
        // A stand-in that greets with protocol 99 (another build), then waits.
        var impostor = new WorkerCommand("/bin/sh", ["-c", """echo '{"type":"hello","protocol":99,"version":"9.9.9","pid":1}'; sleep 30"""]);
        using var pool = new WorkerPool(impostor, Settings(), new StaticOptionsMonitor<WorkerOptions>(new WorkerOptions()), _loggers, TimeProvider.System);

        var result = await pool.RunAsync(Canary("mlp", _mlp), 1, CancellationToken.None);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Equal(ReasonCodes.WorkerUnavailable, result.ReasonCode);
        Assert.Contains("protocol 99", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MoreCallsThanTravel_SamplesThinnedWithTheirWeight()
    {
        using var pool = Pool();
        var canary = Canary("many", _mlp) with { Measure = new MeasureOptions { MinIterations = 120_000, MinDuration = TimeSpan.Zero, WarmupMinIterations = 5, WarmupMaxIterations = 5, Budget = TimeSpan.FromSeconds(60) } };

        var result = await pool.RunAsync(canary, 1, CancellationToken.None);

        Assert.True(result.Iterations >= 120_000, $"{result.Iterations} iterations");
        Assert.InRange(result.Samples.Count, 1, WorkerProtocol.MaxSamples);
        Assert.Equal((result.Iterations + WorkerProtocol.MaxSamples - 1) / WorkerProtocol.MaxSamples, result.SampleWeight);
        Assert.Equal((result.Iterations + result.SampleWeight - 1) / result.SampleWeight, result.Samples.Count);
    }

    [Fact]
    public async Task DescribeAsync_ReportsTheWorkersOnnxRuntime()
    {
        using var pool = Pool();

        var description = await pool.DescribeAsync(CancellationToken.None);

        Assert.Equal(new OnnxRuntimeInfo().Version, description.OnnxRuntimeVersion);
        Assert.Contains("CPUExecutionProvider", description.Providers);
        Assert.Null(description.Error);
    }

    [Fact]
    public async Task RunAsync_WorkerLogs_ForwardedUnderTheirCategoryWithTheirProperties()
    {
        using var pool = Pool();

        await pool.RunAsync(Canary("mlp", _mlp), 1, CancellationToken.None);

        var line = Assert.Single(_logs.GetSnapshot(), r => r.Category == typeof(CanaryRunner).FullName && r.Id.Id == 300);
        Assert.StartsWith("Canary mlp batch 1: ", line.Message, StringComparison.Ordinal);
        Assert.Contains(line.StructuredState!, p => p.Key == "Canary" && p.Value == "mlp");
    }

    [Fact]
    public async Task RunAsync_SessionWarnsInEachWorker_OnnxRuntimesLineLoggedOnceAsAWarningThenAtDebugAndNothingOnStandardError()
    {
        // A fresh worker per request: the line comes from two processes, as from two cycles.
        using var pool = Pool(new WorkerOptions { IdleTimeout = TimeSpan.Zero });
        var model = Path.Combine(_state.Path, "unused-initializer.onnx");
        new OnnxModelBuilder("unused-initializer")
            .Input("x", OnnxElementType.Float, "batch", 4)
            .Output("y", OnnxElementType.Float, "batch", 4)
            .Initializer("unused", [4], new float[] { 1, 2, 3, 4 })
            .Node("Relu", ["x"], ["y"])
            .Save(model);

        var first = await pool.RunAsync(Canary("unused", model), 1, CancellationToken.None);
        var second = await pool.RunAsync(Canary("unused", model), 1, CancellationToken.None);

        Assert.NotNull(first.LatencySeconds);
        Assert.NotNull(second.LatencySeconds);
        Assert.Equal(2, Collect(pool)[(TelemetryCatalogue.WorkerStarts.PrometheusName, "cpu")]);
        var lines = _logs.GetSnapshot().Where(r => r.Message.Contains("Removing initializer 'unused'", StringComparison.Ordinal)).ToList();
        Assert.All(lines, r => Assert.Equal(typeof(OnnxRuntimeLog).FullName, r.Category));
        var warning = Assert.Single(lines, r => r.Level == LogLevel.Warning);
        Assert.Equal(OnnxRuntimeLog.LineEventId, warning.Id.Id);
        Assert.StartsWith("ONNX Runtime (unused): Removing initializer 'unused'.", warning.Message, StringComparison.Ordinal);
        Assert.Contains(warning.StructuredState!, p => p.Key == "CodeLocation" && p.Value!.StartsWith("graph.cc:", StringComparison.Ordinal));
        Assert.Contains(lines, r => r.Level == LogLevel.Debug);
        Assert.DoesNotContain(_logs.GetSnapshot(), r => r.Category == "BenchDaemon.Workers.Output");
    }

    [Fact]
    public async Task RunAsync_TracesOn_TheWorkersSpansAreReplayedHereWithTheirParents()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == CanaryRunner.ActivitySourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var pool = new WorkerPool(WorkerCommand.ForAssembly(DaemonProcess.DllPath), Settings() with { Spans = true }, new StaticOptionsMonitor<WorkerOptions>(new WorkerOptions()), _loggers, TimeProvider.System);

        var started = DateTime.UtcNow;
        await pool.RunAsync(Canary("traced", _mlp), 1, CancellationToken.None);

        // Other tests run canaries in this process too: only this run's trace counts.
        var root = Assert.Single(spans, a => a.DisplayName == "canary traced");
        var children = spans.Where(a => a.ParentSpanId == root.SpanId).Select(a => a.DisplayName).ToList();
        Assert.Equal(["measure", "session", "warmup"], children.Order(StringComparer.Ordinal));
        Assert.Equal("traced", root.GetTagItem("canary"));
        Assert.True(root.StartTimeUtc >= started.AddSeconds(-1) && root.Duration > TimeSpan.Zero);
    }

    private WorkerPool Pool(WorkerOptions? options = null) =>
        new(WorkerCommand.ForAssembly(DaemonProcess.DllPath), Settings(), new StaticOptionsMonitor<WorkerOptions>(options ?? new WorkerOptions()), _loggers, TimeProvider.System);

    private WorkerSettings Settings() => new(
        _state.Path,
        new OnnxRuntimeOptions(),
        new CudaOptions(),
        new ProbeOptions { Gpu = { Enabled = false } },
        LogLevel.Information);

    private static CanaryDefinition Canary(string name, string model, string? library = null, TimeSpan? budget = null, int? memoryMegabytes = null)
    {
        var (canaries, errors) = CanaryExpander.Expand(
        [
            new CanaryOptions
            {
                Name = name,
                Model = model,
                CustomOpLibraries = library is null ? [] : [library],
                MemoryLimitMegabytes = memoryMegabytes,
                Threads = 1,
                Measure = new MeasureOptions
                {
                    MinIterations = 20,
                    MinDuration = TimeSpan.Zero,
                    WarmupMinIterations = 5,
                    WarmupMaxIterations = 5,
                    WarmupMaxDuration = TimeSpan.FromMilliseconds(200),
                    Budget = budget ?? TimeSpan.FromSeconds(20),
                },
            },
        ]);
        Assert.Empty(errors);
        return Assert.Single(canaries);
    }

    private static Dictionary<(string Metric, string Labels), double> Collect(WorkerPool pool)
    {
        var writer = new CapturingWriter();
        pool.Collect(writer);
        return writer.Series.ToDictionary(s => (s.Metric.PrometheusName, string.Join(",", s.Labels)), s => s.Value);
    }

    // The worker the pool started for the CPU lane (other tests start workers in this process too).
    private static async Task<int> WorkerOfAsync(WorkerPool pool)
    {
        var worker = 0;
        await WaitUntilAsync(() => (worker = pool.WorkerPid(DeviceRef.Cpu) ?? 0) != 0);
        return worker;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "condition not met within 30 s");
            await Task.Delay(50);
        }
    }
}
