using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Inputs;
using BenchDaemon.Workloads.Models.Zoo;
using BenchDaemon.Workloads.Studies;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Studies;

/// <summary>
/// A fixed pipeline study of every kind of cell, made through the study runner from fixed
/// canary results (and fixed preprocessing timings): ok ONNX cells (one with energy, drift and GPU
/// readings) and their baseline, an end-to-end cell, a preprocess cell, a failed (out of memory) cell, a cell that
/// threw, a skipped micro-canary and an unstable depth cell. Its <c>cells.csv</c> and
/// <c>cells.json</c> are pinned byte for byte in <c>Studies/Golden</c>; the worker protocol's
/// tests compile this file too.
/// </summary>
internal static class GoldenCells
{
    public const string Csv = "cells.csv";

    public const string Json = "cells.json";

    public static readonly StudyOptions Options = new() { Kind = StudyKind.Pipeline, Name = "golden" };

    private static readonly DateTimeOffset s_started = new(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);

    /// <summary>The raw cells, as a worker hands them to the daemon (no derived metrics yet).</summary>
    public static IReadOnlyList<StudyCell> Raw()
    {
        var inference = new StudyCellPlan(Canary("builtin:resnet50", "CUDA", Precision.FP16), 4, StudyCellPlan.Optimised, StudyCellPlan.InferenceMode);
        var inference1 = inference with { Batch = 1 };
        var baseline = new StudyCellPlan(Canary("builtin:resnet50", "CPU", Precision.FP32, optimization: GraphOptimizationLevel.ORT_DISABLE_ALL), 4, StudyCellPlan.Baseline, StudyCellPlan.InferenceMode);
        var baseline1 = baseline with { Batch = 1 };
        var endToEnd = new StudyCellPlan(Canary("builtin:resnet50", "CUDA", Precision.FP16, ImageSizeClass.Medium), 4, StudyCellPlan.Optimised, StudyCellPlan.EndToEndMode, ImageSizeClass.Medium);
        var preprocess = new StudyCellPlan(Canary("builtin:resnet50", "CUDA", Precision.FP16), 4, StudyCellPlan.Optimised, StudyCellPlan.PreprocessMode, ImageSizeClass.Medium);
        var outOfMemory = new StudyCellPlan(Canary("builtin:resnet50", "TensorRT", Precision.INT8), 32, StudyCellPlan.Optimised, StudyCellPlan.InferenceMode);
        var threw = new StudyCellPlan(Canary("builtin:resnet50", "CPU", Precision.FP32, optimization: GraphOptimizationLevel.ORT_DISABLE_ALL), 2, StudyCellPlan.Baseline, StudyCellPlan.InferenceMode);
        var micro = new StudyCellPlan(Canary("cuda:gemm", "CUDA", Precision.FP16), 1, StudyCellPlan.Optimised, StudyCellPlan.InferenceMode);
        var depth = new StudyCellPlan(Canary("builtin:conv-w64-d3", "CPU", Precision.FP32), 2, StudyCellPlan.Optimised, StudyCellPlan.InferenceMode, Block: new BlockConfig(BlockKind.Conv, 64, 3, 56));

        var results = new Dictionary<string, CanaryResult>(StringComparer.Ordinal)
        {
            [Key(inference1)] = Ok(inference1) with { ThroughputSamplesPerSecond = 200, LatencySeconds = null, EnergyJoulesPerSample = 0.05 },
            [Key(baseline)] = Ok(baseline) with { ThroughputSamplesPerSecond = 100, EffectiveProvider = "CPUExecutionProvider", EffectivePrecision = "FP32" },
            [Key(baseline1)] = Ok(baseline1) with { ThroughputSamplesPerSecond = 50, EffectiveProvider = "CPUExecutionProvider", EffectivePrecision = "FP32" },
            [Key(inference)] = Ok(inference) with
            {
                EnergyJoules = new Dictionary<string, double>(StringComparer.Ordinal) { ["cpu:package-0"] = 12.5, ["gpu:0"] = 30.25 },
                EnergyJoulesPerSample = 0.0421875,
                Drift = new DriftResult("FP32 on CPU", 0.0009765625, 0.99999237, 1.0),
                GpuSmClockHertz = new Dictionary<string, double>(StringComparer.Ordinal) { ["gpu:0"] = 1.98e9 },
                GpuMemoryPeakBytes = new Dictionary<string, double>(StringComparer.Ordinal) { ["gpu:0"] = 2_147_483_648 },
                GpuClockEventReasons = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { ["gpu:0"] = ["sw_power_cap"] },
                GpuSmActive = new Dictionary<string, double>(StringComparer.Ordinal) { ["gpu:0"] = 0.83 },
                FirstRunSeconds = 0.75,
                GpuIo = GpuIo.Device,
            },
            [Key(endToEnd)] = Ok(endToEnd) with
            {
                StageSeconds = new Dictionary<string, double>(StringComparer.Ordinal) { ["preprocess"] = 0.024, ["inference"] = 0.0105 },
                PreprocessShare = 0.6956521739130435,
            },
            [Key(outOfMemory)] = CanaryResult.Of(outOfMemory.Canary, 32, CanaryStatus.Failed, s_started, ReasonCodes.OutOfMemory, "CUDA out of memory: tried to allocate 1.5 GiB, \"workspace\""),
            [Key(micro)] = CanaryResult.Of(micro.Canary, 1, CanaryStatus.Failed, s_started, ReasonCodes.ModelInvalid, "model file not found"),
            [Key(depth)] = Ok(depth) with
            {
                Status = CanaryStatus.Unstable,
                Reason = "latency CV 0.31 above 0.1",
                ReasonCode = ReasonCodes.BudgetReached,
                EffectiveProvider = "CPUExecutionProvider",
                EffectivePrecision = "FP32",
                ProviderFallback = null,
            },
        };

        var runner = new StudyRunner((canary, batch, _) => results.TryGetValue($"{canary.Name}/{batch}", out var r)
            ? r
            : throw new InvalidOperationException("session creation failed: no kernel for Conv(11), opset 21\nsecond line"));
        var token = TestContext.Current.CancellationToken;
        var preprocessCalls = new[] { 0.0241, 0.0238, 0.0245, 0.0236 };
        var stages = new PreprocessTimings(TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(32), TimeSpan.FromMilliseconds(8), TimeSpan.FromMilliseconds(16));
        return
        [
            runner.MeasureCell(Options, inference1, null, token),
            runner.MeasureCell(Options, inference, null, token),
            runner.MeasureCell(Options, baseline1, StudyRunner.NoEnergyCounterReason, token),
            runner.MeasureCell(Options, baseline, StudyRunner.NoEnergyCounterReason, token),
            runner.MeasureCell(Options, endToEnd, "RAPL is root-only", token),
            StudyRunner.Preprocessed(StudyRunner.Planned(Options, preprocess), preprocess, preprocessCalls, stages, TimeSpan.FromSeconds(0.125)),
            runner.MeasureCell(Options, outOfMemory, null, token),
            runner.MeasureCell(Options, threw, null, token),
            runner.MeasureCell(Options, micro, null, token),
            runner.MeasureCell(Options, depth, null, token),
        ];
    }

    /// <summary>The cells as the study writes them: derived metrics filled.</summary>
    public static IReadOnlyList<StudyCell> Derived() => StudyAnalysis.Derive(Options.Kind, Raw());

    /// <summary>The pinned bytes of <paramref name="file"/>.</summary>
    public static string Golden(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Studies", "Golden", file));

    private static string Key(StudyCellPlan plan) => $"{plan.Canary.Name}/{plan.Batch}";

    private static CanaryResult Ok(StudyCellPlan plan) => CanaryResult.Of(plan.Canary, plan.Batch, CanaryStatus.Ok, s_started) with
    {
        EffectiveProvider = "CUDAExecutionProvider",
        EffectivePrecision = "FP16 (model variant)",
        ProviderFallback = false,
        ModelPath = "/models/resnet50-fp16.onnx",
        Iterations = 120,
        WarmupIterations = 10,
        WarmupStable = true,
        LatencySeconds = new LatencyStatistics(120, 0.0105, 0.0007, 0.06666666666666667, 0.0098, 0.0104, 0.0112, 0.0115, 0.0121, 0.0133, 0.0141),
        PerSampleLatencySeconds = 0.002625,
        ThroughputSamplesPerSecond = 380.95238095238096,
        SessionCreateSeconds = 1.875,
        MeasureSeconds = 1.3125,
        ProcessCpuSeconds = 1.5,
        OnnxRuntimeVersion = "1.31.1",
        WorkerPeakResidentBytes = 734_003_200,
    };

    private static CanaryDefinition Canary(string model, string provider, Precision precision, ImageSizeClass? image = null, GraphOptimizationLevel optimization = GraphOptimizationLevel.ORT_ENABLE_ALL) => new(
        Name: $"study-golden-{model}-{provider}-{precision}-{optimization}-{image}",
        Model: model,
        Variants: new Dictionary<Precision, string>(),
        Provider: provider,
        ProviderOptions: new Dictionary<string, string>(StringComparer.Ordinal),
        Precision: precision,
        BatchSizes: [1],
        Threads: 1,
        GraphOptimization: optimization,
        Inputs: new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase),
        InputFiles: new Dictionary<string, string>(StringComparer.Ordinal),
        Seed: 1,
        Measure: new MeasureOptions { MinIterations = 3 },
        Schedule: new CanarySchedule(TimeSpan.FromMinutes(15), null, TimeSpan.Zero),
        ImageInput: image);
}
