using BenchDaemon.Probes;
using BenchDaemon.Probes.Nvml;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace BenchDaemon.Workloads.Tests.Canaries;

/// <summary>
/// Real ONNX Runtime runs of tiny models on the CPU provider. Serial: one test bounds the
/// process's resident memory over a thousand runs.
/// </summary>
[Collection(SerialTestGroup.Name)]
public sealed class CanaryRunnerTests : IClassFixture<ModelFiles>
{
    private static readonly OnnxRuntimeInfo s_runtime = new();
    private readonly ModelFiles _models;

    public CanaryRunnerTests(ModelFiles models)
    {
        _models = models;
    }

    [Fact]
    public void Run_MlpOnCpu_MeasuresAtLeastMinimumWithConsistentFigures()
    {
        var canary = Canary(_models.Mlp, measure: Quick(minIterations: 50));

        var results = Runner().RunAll(canary, TestContext.Current.CancellationToken).ToList();

        Assert.Equal(2, results.Count);
        foreach (var result in results)
        {
            Assert.True(result.Status is CanaryStatus.Ok or CanaryStatus.Unstable, result.Reason);
            Assert.True(result.Iterations >= 50);
            Assert.Equal(result.Iterations, result.Samples.Count);
            Assert.Equal("CPUExecutionProvider", result.EffectiveProvider);
            Assert.Equal(false, result.ProviderFallback);
            var stats = result.LatencySeconds!;
            Assert.True(stats.Min > 0 && stats.Min <= stats.P50 && stats.P50 <= stats.P99 && stats.P99 <= stats.Max);
            Assert.Equal(result.Batch * result.Samples.Count / result.Samples.Sum(), result.ThroughputSamplesPerSecond!.Value, 6);
            Assert.Equal(stats.Mean / result.Batch, result.PerSampleLatencySeconds!.Value, 12);
            Assert.True(result.SessionCreateSeconds > 0);
            Assert.True(result.WarmupIterations >= 10);
            Assert.Null(result.Drift);
            Assert.Null(result.EnergyJoulesPerSample);
        }

        Assert.Equal([1, 4], results.Select(r => r.Batch));
    }

    [Fact]
    public void Run_TokenClassifierWithSequence_Runs()
    {
        var canary = Canary(_models.Tokens, measure: Quick(), inputs: new() { ["sequence"] = 16, ["vocab"] = 100 });

        var result = Runner().Run(canary, 2, TestContext.Current.CancellationToken);

        Assert.True(result.Status is CanaryStatus.Ok or CanaryStatus.Unstable, result.Reason);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void Run_CudaOnAHostWithoutCuda_SkippedNamingWhatIsMissing()
    {
        Assert.SkipWhen(HostLibraries.HasCuda13, "needs a host without the CUDA 13 stack; this one has it, and the canary would run");

        var result = Runner().Run(Canary(_models.Mlp, provider: "CUDA"), 1, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Skipped, result.Status);
        if (OnnxRuntimeBuild.Flavor == OnnxRuntimeBuild.GpuFlavor)
        {
            // Compiled in, not usable: the reason is the missing library, not the build.
            Assert.Equal(ReasonCodes.LibraryUnavailable, result.ReasonCode);
            Assert.Contains("not found; searched:", result.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain("not in this ONNX Runtime build", result.Reason, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith("provider unavailable: CUDAExecutionProvider is not in this ONNX Runtime build", result.Reason, StringComparison.Ordinal);
            Assert.Contains("CPUExecutionProvider", result.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Run_Fp16Variant_ReportsSmallNonzeroDrift()
    {
        var canary = Canary(_models.Mlp, precision: Precision.FP16, variants: new() { [Precision.FP16] = _models.MlpFp16 }, measure: Quick());

        var result = Runner().Run(canary, 4, TestContext.Current.CancellationToken);

        Assert.True(result.Status is CanaryStatus.Ok or CanaryStatus.Unstable, result.Reason);
        Assert.Equal("FP16 (model variant)", result.EffectivePrecision);
        var drift = Assert.IsType<DriftResult>(result.Drift);
        Assert.InRange(drift.MaxAbsError, 1e-7, 0.05);
        Assert.InRange(drift.CosineSimilarity, 0.999, 1.0);
        Assert.Equal(1.0, drift.Top1Agreement);
    }

    [Fact]
    public void Run_Fp16VariantIdenticalToReference_ReportsZeroDrift()
    {
        var canary = Canary(_models.Mlp, precision: Precision.FP16, variants: new() { [Precision.FP16] = _models.Mlp }, measure: Quick());

        var result = Runner().Run(canary, 2, TestContext.Current.CancellationToken);

        Assert.Equal(0, result.Drift!.MaxAbsError);
        Assert.Equal(1, result.Drift.CosineSimilarity, 12);
    }

    [Fact]
    public void Run_Fp16WithoutVariantOnCpu_SkippedPrecisionUnavailable()
    {
        var result = Runner().Run(Canary(_models.Mlp, precision: Precision.FP16), 1, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Skipped, result.Status);
        Assert.StartsWith("precision FP16 unavailable", result.Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BrokenModels => new()
    {
        { "missing", "model file not found" },
        { "empty", "model file is empty" },
        { "truncated", "not a valid ONNX model" },
        { "random", "not a valid ONNX model" },
        { "directory", "is a directory" },
        { "opset", "ONNX Runtime cannot load the model:" },
    };

    [Theory]
    [MemberData(nameof(BrokenModels))]
    public void Run_BrokenModel_FailedWithReason(string kind, string reason)
    {
        var path = BrokenModel(kind);

        var result = Runner().Run(Canary(path), 1, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
        if (kind == "opset")
        {
            Assert.Contains("opset", result.Reason, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Run_InputFileWithBatchOne_IsRepeatedAcrossTheBatch()
    {
        var file = _models.Write("input.npy", NpyArrayTests.Npy("<f4", [1, 16], NpyArrayTests.Floats([.. Enumerable.Range(0, 16).Select(i => i / 16f)])));
        var canary = Canary(_models.Mlp, measure: Quick()) with { InputFiles = new Dictionary<string, string> { ["input"] = file } };

        var result = Runner().Run(canary, 4, TestContext.Current.CancellationToken);

        Assert.True(result.Status is CanaryStatus.Ok or CanaryStatus.Unstable, result.Reason);
    }

    [Theory]
    [InlineData("dtype", "InputFiles:input holds Double but the model's input 'input' is Float")]
    [InlineData("batch", "InputFiles:input has batch 3 but batch 4 was asked")]
    [InlineData("width", "InputFiles:input has size 8 in dimension 1 where the model's input 'input' has 16")]
    [InlineData("name", "InputFiles:pixels is not an input of the model (inputs: input)")]
    public void Run_MismatchedInputFile_FailedWithReason(string kind, string expected)
    {
        var (name, bytes) = kind switch
        {
            "dtype" => ("input", NpyArrayTests.Npy("<f8", [1, 16], new byte[16 * 8])),
            "batch" => ("input", NpyArrayTests.Npy("<f4", [3, 16], new byte[3 * 16 * 4])),
            "width" => ("input", NpyArrayTests.Npy("<f4", [1, 8], new byte[8 * 4])),
            _ => ("pixels", NpyArrayTests.Npy("<f4", [1, 16], new byte[16 * 4])),
        };
        var file = _models.Write($"bad-{kind}.npy", bytes);
        var canary = Canary(_models.Mlp, measure: Quick()) with { InputFiles = new Dictionary<string, string> { [name] = file } };

        var result = Runner().Run(canary, 4, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Contains(expected, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void Run_OutOfMemoryInsideOnnxRuntime_FailedAndNextRunStillWorks()
    {
        // ConstantOfShape to 2^20 × 2^20 floats: a 4 TiB allocation that must fail.
        var path = _models.Write("oom.onnx", new OnnxModelBuilder("oom")
            .Input("x", OnnxElementType.Float, "batch", 1)
            .Output("big", OnnxElementType.Float, "rows", "cols")
            .Initializer("shape", [2], [1L << 20, 1L << 20])
            .Node("ConstantOfShape", ["shape"], ["big"])
            .ToBytes());

        var result = Runner().Run(Canary(path, measure: Quick()), 1, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.StartsWith("ONNX Runtime:", result.Reason, StringComparison.Ordinal);
        Assert.Contains("alloc", result.Reason, StringComparison.OrdinalIgnoreCase);
        var next = Runner().Run(Canary(_models.Mlp, measure: Quick()), 1, TestContext.Current.CancellationToken);
        Assert.True(next.Status is CanaryStatus.Ok or CanaryStatus.Unstable, next.Reason);
    }

    [Fact]
    public void Run_ImageInputOnResNetMini_TimesPreprocessingApartFromInference()
    {
        var path = _models.Write("resnet-mini.onnx", BenchDaemon.Workloads.Models.Zoo.ResNetModel.Build(BenchDaemon.Workloads.Models.Zoo.ResNetConfig.Mini));
        var canary = Canary(path, measure: Quick()) with { ImageInput = BenchDaemon.Workloads.Inputs.ImageSizeClass.Medium };

        var result = Runner().Run(canary, 2, TestContext.Current.CancellationToken);

        Assert.True(result.Status is CanaryStatus.Ok or CanaryStatus.Unstable, result.Reason);
        var stages = Assert.IsAssignableFrom<IReadOnlyDictionary<string, double>>(result.StageSeconds);
        Assert.True(stages["preprocess"] > 0);
        Assert.Equal(result.LatencySeconds!.Mean, stages["inference"], 12);
        Assert.InRange(result.PreprocessShare!.Value, 0.01, 0.999);
    }

    [Fact]
    public void Run_ImageInputOnTextModel_FailedSayingWhy()
    {
        var canary = Canary(_models.Tokens, measure: Quick(), inputs: new() { ["sequence"] = 8 }) with { ImageInput = BenchDaemon.Workloads.Inputs.ImageSizeClass.Small };

        var result = Runner().Run(canary, 1, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Contains("no float [batch, 3, H, H] image input", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SymbolicDimensionNotGiven_FailedNamingTheKey()
    {
        var result = Runner().Run(Canary(_models.Tokens), 1, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Contains("dimension 'sequence' is symbolic: set Inputs:sequence", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownInputsKey_FailedListingTheModelsDimensions()
    {
        var result = Runner().Run(Canary(_models.Mlp, inputs: new() { ["sequense"] = 8 }), 1, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Contains("Inputs:sequense matches no symbolic dimension of the model (it has: batch)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BudgetTooShortForMinimum_UnstableAndOnTime()
    {
        var slow = _models.Write("slow-budget.onnx", TinyModels.Slow(8));
        var measure = Quick(minIterations: 1_000_000);
        measure.Budget = TimeSpan.FromMilliseconds(500);
        measure.MinDuration = TimeSpan.FromMilliseconds(100);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var result = Runner().Run(Canary(slow, measure: measure), 1, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Unstable, result.Status);
        Assert.StartsWith("time budget 00:00:00.5000000 reached after", result.Reason, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void Run_SingleCallLongerThanBudget_TerminatedAndFailed()
    {
        var slow = _models.Write("slow-call.onnx", TinyModels.Slow(2000));
        var measure = Quick();
        measure.Budget = TimeSpan.FromMilliseconds(150);
        measure.MinDuration = TimeSpan.Zero;
        var started = System.Diagnostics.Stopwatch.StartNew();

        var result = Runner().Run(Canary(slow, measure: measure, batch: 1024), 1024, TestContext.Current.CancellationToken);

        // Terminated at budget + grace (1 s minimum), long before the call would have finished.
        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Contains("exceeded its time budget of 00:00:00.1500000", result.Reason, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"took {started.Elapsed}");
    }

    [Fact]
    public void Run_Cancelled_FailedShutdown()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var result = Runner().Run(Canary(_models.Mlp, measure: Quick()), 1, cts.Token);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Equal("shutdown", result.Reason);
        Assert.Equal(ReasonCodes.Shutdown, result.ReasonCode);
    }

    [Fact]
    public void Run_WithEnergyMeter_ReportsJoulesPerSampleFromCounterDeltas()
    {
        var meter = new SteppingEnergyMeter();
        var canary = Canary(_models.Mlp, measure: Quick(minIterations: 20));

        var result = new CanaryRunner(s_runtime, TimeProvider.System, NullLogger<CanaryRunner>.Instance, meter).Run(canary, 4, TestContext.Current.CancellationToken);

        // Each read adds 10 J to the package and 1 J to its core sub-zone: the window spans one step.
        Assert.Equal(10, result.EnergyJoules!["cpu:package-0"], 9);
        Assert.Equal(1, result.EnergyJoules["cpu:core-0"], 9);
        Assert.Equal(10.0 / (result.Iterations * 4), result.EnergyJoulesPerSample!.Value, 12);
    }

    [Fact]
    public void Run_WithGpuClockMonitor_RecordsClockEventReasonsAndSmClockOfTheWindow()
    {
        var clocks = new ScriptedClockMonitor();
        var canary = Canary(_models.Mlp, measure: Quick(minIterations: 20));

        var result = new CanaryRunner(s_runtime, TimeProvider.System, NullLogger<CanaryRunner>.Instance, clocks: clocks).Run(canary, 2, TestContext.Current.CancellationToken);

        Assert.Contains(result.Status, new[] { CanaryStatus.Ok, CanaryStatus.Unstable }); // measured; a busy machine may be unstable
        Assert.Null(clocks.Requested); // a CPU canary watches every GPU
        Assert.True(clocks.Stopped);
        Assert.Equal(["gpu_idle", "sw_power_cap"], result.GpuClockEventReasons!["gpu:0"]);
        Assert.Equal(1.5e9, result.GpuSmClockHertz!["gpu:0"]);
        Assert.Equal(1.2e9, result.GpuSmClockMinHertz!["gpu:0"]);
        Assert.False(result.GpuClockEventReasons.ContainsKey("gpu:1")); // that GPU reports no reasons
        Assert.Equal(1.98e9, result.GpuSmClockHertz["gpu:1"]);
    }

    [Fact]
    public void Run_ThousandFailingRuns_DoNotLeakHandlesOrMemory()
    {
        var truncated = BrokenModel("truncated");
        var runner = Runner();
        var canary = Canary(truncated);
        for (var i = 0; i < 50; i++)
        {
            runner.Run(canary, 1, TestContext.Current.CancellationToken); // warm allocator and logging paths
        }

        GC.Collect();
        var handlesBefore = Directory.GetFiles("/proc/self/fd").Length;
        var rssBefore = Rss();

        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(CanaryStatus.Failed, runner.Run(canary, 1, TestContext.Current.CancellationToken).Status);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var handlesAfter = Directory.GetFiles("/proc/self/fd").Length;
        Assert.InRange(handlesAfter - handlesBefore, -20, 20);
        Assert.InRange(Rss() - rssBefore, long.MinValue, 64L * 1024 * 1024);
    }

    private string BrokenModel(string kind)
    {
        var good = File.ReadAllBytes(_models.Mlp);
        return kind switch
        {
            "missing" => Path.Combine(_models.Directory, "absent.onnx"),
            "empty" => _models.Write("empty.onnx", []),
            "truncated" => _models.Write("truncated.onnx", good[..(good.Length / 2)]),
            "random" => _models.Write("random.onnx", RandomBytes(4096)),
            "directory" => Directory.CreateDirectory(Path.Combine(_models.Directory, "dir.onnx")).FullName,
            "opset" => _models.Write("opset.onnx", TinyModels.WithOpset(999)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    private static long Rss()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private static CanaryRunner Runner() => new(s_runtime, TimeProvider.System, NullLogger<CanaryRunner>.Instance);

    private static MeasureOptions Quick(int minIterations = 20) => new()
    {
        MinIterations = minIterations,
        MinDuration = TimeSpan.FromMilliseconds(50),
        Budget = TimeSpan.FromSeconds(20),
        WarmupMinIterations = 10,
        WarmupMaxDuration = TimeSpan.FromSeconds(1),
    };

    private static CanaryDefinition Canary(
        string model,
        string provider = "CPU",
        Precision precision = Precision.FP32,
        Dictionary<Precision, string>? variants = null,
        MeasureOptions? measure = null,
        Dictionary<string, long>? inputs = null,
        int batch = 1)
    {
        var options = new CanaryOptions
        {
            Name = "test",
            Model = model,
            Provider = provider,
            Precision = precision,
            Variants = variants ?? [],
            BatchSizes = batch == 1 ? [1, 4] : [batch],
            Threads = 1,
            Measure = measure ?? Quick(),
        };
        foreach (var (key, value) in inputs ?? [])
        {
            options.Inputs[key] = value;
        }

        var (canaries, errors) = CanaryExpander.Expand([options]);
        Assert.Empty(errors);
        return canaries[0];
    }

    private sealed class ScriptedClockMonitor : IGpuClockMonitor
    {
        public IReadOnlyCollection<int>? Requested { get; private set; } = [-1];

        public bool Stopped { get; private set; }

        public GpuClockWindow StartWindow(IReadOnlyCollection<int>? gpuIndexes = null)
        {
            Requested = gpuIndexes;
            var window = new GpuClockWindow([(0, "GPU-a"), (1, "GPU-b")], _ => Stopped = true);
            window.Observe(0, 1.8e9, 0x1);
            window.Observe(0, 1.2e9, 0x4);
            window.Observe(1, 1.98e9, null);
            return window;
        }
    }

    private sealed class SteppingEnergyMeter : IEnergyMeter
    {
        private int _reads;

        public IReadOnlyList<EnergyCounter> ReadEnergy()
        {
            _reads++;
            return [new EnergyCounter("cpu:package-0", 100 + 10 * _reads), new EnergyCounter("cpu:core-0", 50 + _reads)];
        }
    }
}
