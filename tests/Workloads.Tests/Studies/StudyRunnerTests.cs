using System.Text.Json;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Inputs;
using BenchDaemon.Workloads.Models.Zoo;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Studies;
using Microsoft.Extensions.Logging.Abstractions;

namespace BenchDaemon.Workloads.Tests.Studies;

/// <summary>Every study kind end to end on the test-sized models: cells measured, derived metrics filled, every file written.</summary>
public sealed class StudyRunnerTests : IDisposable
{
    private static readonly OnnxRuntimeInfo s_runtime = new();
    private readonly string _root = Directory.CreateTempSubdirectory("benchdaemon-study-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static MeasureOptions Tiny() => new()
    {
        MinIterations = 3,
        MinDuration = TimeSpan.FromMilliseconds(5),
        Budget = TimeSpan.FromSeconds(20),
        WarmupMinIterations = 1,
        WarmupMaxIterations = 5,
        WarmupMaxDuration = TimeSpan.FromMilliseconds(50),
        MaxCoefficientOfVariation = 100,
    };

    [Fact]
    public void Batch_TinyModels_RtrAseBsrAndSkippedProvider()
    {
        var run = Run(new StudyOptions { Kind = StudyKind.Batch, Models = ["builtin:resnet-mini", "builtin:bert-tiny"], Providers = ["CPU", "CUDA"], Batches = [1, 2], Threads = 1, Measure = Tiny() });

        // Per model and batch: the baseline, CPU and CUDA (skipped here).
        Assert.Equal(12, run.Cells.Count);
        var cuda = run.Cells.Where(c => c.Provider == "CUDA").ToList();
        Assert.All(cuda, c => Assert.Equal(CanaryStatus.Skipped, c.Status));
        Assert.All(cuda, c => Assert.Contains("provider unavailable", c.Reason, StringComparison.Ordinal));
        var cpu2 = run.Cells.Single(c => c.Model == "resnet-mini" && c.Provider == "CPU" && c.Configuration == StudyCellPlan.Optimised && c.Batch == 2);
        var cpu1 = run.Cells.Single(c => c.Model == "resnet-mini" && c.Provider == "CPU" && c.Configuration == StudyCellPlan.Optimised && c.Batch == 1);
        Assert.Equal(cpu2.ThroughputSamplesPerSecond!.Value / cpu1.ThroughputSamplesPerSecond!.Value, cpu2.Rtr!.Value, 9);
        Assert.Equal(cpu2.Rtr!.Value / 2, cpu2.Ase!.Value, 9);
        Assert.NotNull(cpu2.Bsr);
        Assert.NotNull(cpu2.SpeedupVsBaseline);
        Assert.Equal("disabled", run.Cells.First(c => c.Configuration == StudyCellPlan.Baseline).GraphOptimization);
        AssertFiles(run, "throughput.png", "ase.png", "bsr.png");
    }

    [Fact]
    public void Precision_Fp32Fp16Int8_SpeedupsAgainstBothBaselinesAndDrift()
    {
        var run = Run(new StudyOptions { Kind = StudyKind.Precision, Models = ["builtin:resnet-mini"], Providers = ["CPU"], Batches = [1, 2], Threads = 1, Measure = Tiny() });

        var int8 = run.Cells.Single(c => c.Precision == Precision.INT8 && c.Batch == 2);
        var fp32 = run.Cells.Single(c => c.Precision == Precision.FP32 && c.Batch == 2 && c.Configuration == StudyCellPlan.Optimised);
        var native = run.Cells.Single(c => c.Configuration == StudyCellPlan.Baseline && c.Batch == 2);
        Assert.Equal(int8.ThroughputSamplesPerSecond!.Value / fp32.ThroughputSamplesPerSecond!.Value, int8.SpeedupVsProviderFp32!.Value, 9);
        Assert.Equal(int8.ThroughputSamplesPerSecond!.Value / native.ThroughputSamplesPerSecond!.Value, int8.SpeedupVsNativeFp32!.Value, 9);
        Assert.Equal(fp32.MeanLatencySeconds!.Value / int8.MeanLatencySeconds!.Value, int8.LatencySpeedupVsProviderFp32!.Value, 9);
        Assert.Equal(1.0, fp32.SpeedupVsProviderFp32);
        Assert.NotNull(int8.DriftCosine);
        Assert.NotNull(run.Cells.Single(c => c.Precision == Precision.FP16 && c.Batch == 1).DriftMaxAbsError);
        AssertFiles(run, "throughput.png", "speedup-provider-fp32.png", "speedup-native.png");
    }

    [Fact]
    public void Providers_Ladder_ReportsRequestedAndEffectiveProviderAndSessionTime()
    {
        var run = Run(new StudyOptions { Kind = StudyKind.Providers, Models = ["builtin:bert-tiny"], Providers = ["CPU", "TensorRT"], Batches = [2], Threads = 1, Measure = Tiny() });

        var cpu = run.Cells.Single(c => c.Provider == "CPU" && c.Configuration == StudyCellPlan.Optimised);
        Assert.Equal("CPUExecutionProvider", cpu.EffectiveProvider);
        Assert.True(cpu.SessionCreateSeconds > 0);
        Assert.InRange(cpu.Consistency!.Value, 0.2, 1.0001);
        var trt = run.Cells.Single(c => c.Provider == "TensorRT");
        Assert.Equal(Precision.FP16, trt.Precision);
        Assert.Equal(CanaryStatus.Skipped, trt.Status);
        AssertFiles(run, "throughput.png");
    }

    [Fact]
    public void Pipeline_StagesSharesAndBottleneck()
    {
        var run = Run(new StudyOptions
        {
            Kind = StudyKind.Pipeline, Models = ["builtin:resnet-mini"], Batches = [2], ImageSizes = [ImageSizeClass.Small, ImageSizeClass.Medium], Threads = 1, Measure = Tiny(),
        });

        Assert.Equal(5, run.Cells.Count); // inference alone, then preprocess and end-to-end per size
        var pre = run.Cells.Single(c => c.Mode == StudyCellPlan.PreprocessMode && c.ImageSize == "medium");
        Assert.Equal(["crop", "decode", "normalize", "resize"], pre.StageSeconds!.Keys.Order(StringComparer.Ordinal));
        var e2e = run.Cells.Single(c => c.Mode == StudyCellPlan.EndToEndMode && c.ImageSize == "medium");
        Assert.Equal(1.0, e2e.StageShares!.Values.Sum(), 9);
        Assert.Contains(e2e.Bottleneck, new[] { "decode", "resize", "crop", "normalize", "inference" });
        var inference = run.Cells.Single(c => c.Mode == StudyCellPlan.InferenceMode);
        Assert.True(e2e.ThroughputSamplesPerSecond < inference.ThroughputSamplesPerSecond, "end to end includes preprocessing");
        AssertFiles(run, "stage-shares.png");
    }

    [Fact]
    public void Energy_WithoutCounters_RecordsTheReasonNotZero()
    {
        var run = Run(new StudyOptions { Kind = StudyKind.Energy, Models = ["builtin:resnet-mini"], Providers = ["CPU"], Precisions = [Precision.FP32], Batches = [1], Threads = 1, Measure = Tiny() }, new FakeEnergyMeter([]));

        var cell = Assert.Single(run.Cells);
        Assert.Null(cell.EnergyJoulesPerSample);
        Assert.Null(cell.SamplesPerJoule);
        Assert.Equal(StudyRunner.NoEnergyCounterReason, cell.EnergyReason);
        AssertFiles(run, "power-throughput.png", "samples-per-joule.png");
    }

    [Fact]
    public void Energy_WithACounter_GivesSamplesPerJouleAndPower()
    {
        var meter = new FakeEnergyMeter([new Probes.EnergyCounter("cpu:package-0", 0)]) { JoulesPerRead = 5 };
        var run = Run(new StudyOptions { Kind = StudyKind.Energy, Models = ["builtin:resnet-mini"], Providers = ["CPU"], Precisions = [Precision.FP32], Batches = [1], Threads = 1, Measure = Tiny() }, meter);

        var cell = Assert.Single(run.Cells);
        Assert.True(cell.EnergyJoulesPerSample > 0);
        Assert.Equal(1 / cell.EnergyJoulesPerSample!.Value, cell.SamplesPerJoule!.Value, 9);
        Assert.True(cell.PowerWatts > 0);
        Assert.Null(cell.EnergyReason);
    }

    [Fact]
    public void Depth_BlockStacks_SlopeRetentionAndAse()
    {
        var run = Run(new StudyOptions
        {
            Kind = StudyKind.Depth, ConvWidths = [8], AttentionWidths = [64], Depths = [1, 2], ConvImageSize = 16, Providers = ["CPU"], Batches = [1, 2], Threads = 1, Measure = Tiny(),
        });

        Assert.Equal(16, run.Cells.Count); // 2 blocks × 2 depths × 2 batches × (baseline + CPU)
        Assert.All(run.Cells, c => Assert.True(c.Status is CanaryStatus.Ok or CanaryStatus.Unstable, c.Reason));
        Assert.Contains(run.Cells, c => c.Model == "conv-w8-d2-s16" && c.Depth == 2 && c.Width == 8 && c.Block == "conv");
        var summary = StudyAnalysis.DepthSummary(run.Cells);
        Assert.Equal(4, summary.Count);
        Assert.All(summary, s => Assert.NotNull(s.Slope));
        Assert.All(summary, s => Assert.Equal(s.Points[1].Speedup / s.Points[0].Speedup, s.Retention!.Value, 9));
        var report = File.ReadAllText(Path.Combine(_root, StudyReportWriter.ReportFile));
        Assert.Contains("Width × batch ASE", report, StringComparison.Ordinal);
        AssertFiles(run, "speedup-depth.png");
    }

    [Fact]
    public void FailedCell_IsRecordedAndTheStudyContinues()
    {
        var zoo = new ModelZoo(Path.Combine(_root, "cache"), NullLogger<ModelZoo>.Instance);
        var real = new CanaryRunner(s_runtime, TimeProvider.System, NullLogger<CanaryRunner>.Instance, zoo: zoo);
        var calls = 0;
        var runner = new StudyRunner((canary, batch, token) =>
        {
            calls++;
            if (batch == 2 && canary.GraphOptimization != Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL)
            {
                // What ONNX Runtime reports when an arena cannot grow: the runner's out-of-memory cell.
                return new CanaryResult
                {
                    Canary = canary.Name, Model = canary.ModelLabel, Provider = canary.Provider, Precision = canary.Precision, Batch = batch,
                    Status = CanaryStatus.Failed, Reason = "ONNX Runtime: Failed to allocate memory", ReasonCode = ReasonCodes.OutOfMemory,
                };
            }

            if (batch == 4)
            {
                throw new InvalidOperationException("provider crashed");
            }

            return real.Run(canary, batch, token);
        });
        var options = StudyDefaults.Apply(new StudyOptions { Kind = StudyKind.Batch, Models = ["builtin:resnet-mini"], Providers = ["CPU"], Batches = [1, 2, 4, 8], Threads = 1, Measure = Tiny() });
        var run = runner.Run(options, StudyPlanner.Plan(options, _root), Environment(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(8, calls);
        Assert.Equal(8, run.Cells.Count);
        var oom = run.Cells.Single(c => c.Batch == 2 && c.Configuration == StudyCellPlan.Optimised);
        Assert.Equal((CanaryStatus.Failed, ReasonCodes.OutOfMemory), (oom.Status, oom.ReasonCode));
        Assert.All(run.Cells.Where(c => c.Batch == 4), c => Assert.Contains("provider crashed", c.Reason, StringComparison.Ordinal));
        Assert.True(run.Cells.Single(c => c.Batch == 8 && c.Configuration == StudyCellPlan.Optimised).Status is CanaryStatus.Ok or CanaryStatus.Unstable);
        Assert.Null(oom.Rtr);
        StudyReportWriter.Write(run, _root);
        var csv = File.ReadAllLines(Path.Combine(_root, StudyReportWriter.CsvFile));
        Assert.Contains(csv, l => l.Contains(",failed,out_of_memory,", StringComparison.Ordinal));
        Assert.Contains("Failed and skipped cells", File.ReadAllText(Path.Combine(_root, StudyReportWriter.ReportFile)), StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_StopsBetweenCells_AndKeepsWhatWasMeasured()
    {
        using var stop = new CancellationTokenSource();
        var zoo = new ModelZoo(Path.Combine(_root, "cache"), NullLogger<ModelZoo>.Instance);
        var real = new CanaryRunner(s_runtime, TimeProvider.System, NullLogger<CanaryRunner>.Instance, zoo: zoo);
        var runner = new StudyRunner(real);
        var options = StudyDefaults.Apply(new StudyOptions { Kind = StudyKind.Batch, Models = ["builtin:resnet-mini"], Providers = ["CPU"], Batches = [1, 2, 4], Threads = 1, Measure = Tiny() });

        var run = runner.Run(options, StudyPlanner.Plan(options, _root), Environment(), (i, _) =>
        {
            if (i == 2)
            {
                stop.Cancel();
            }
        }, stop.Token);

        Assert.True(run.Interrupted);
        Assert.Equal(3, run.Cells.Count);
        Assert.Equal(6, run.PlannedCells);
        StudyReportWriter.Write(run, _root);
        Assert.Contains("interrupted", File.ReadAllText(Path.Combine(_root, StudyReportWriter.ReportFile)), StringComparison.Ordinal);
    }

    [Fact]
    public void MicroCanary_NoCudaDriver_IsASkippedCellWithTheReason()
    {
        // An empty library directory: no CUDA driver on any machine, GPU or not.
        var empty = Directory.CreateDirectory(Path.Combine(_root, "no-cuda")).FullName;
        var cuda = new BenchDaemon.Workloads.Cuda.CudaCanaryRunner(Microsoft.Extensions.Options.Options.Create(new BenchDaemon.Workloads.Cuda.CudaOptions { LibraryDirectory = empty }), NullLogger<BenchDaemon.Workloads.Cuda.CudaCanaryRunner>.Instance);

        var run = Run(new StudyOptions { Kind = StudyKind.Batch, Models = ["cuda:gemm"], Providers = ["CPU"], Batches = [1], Measure = Tiny() }, cuda: cuda);

        Assert.All(run.Cells, c => Assert.Equal(CanaryStatus.Skipped, c.Status));
        Assert.All(run.Cells, c => Assert.Equal("driver_unavailable", c.ReasonCode));
        Assert.All(run.Cells, c => Assert.Contains("libcuda.so.1", c.Reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(StudyKind.Batch, "Batches", 0)]
    [InlineData(StudyKind.Depth, "Depths", 7)]
    public void Validate_BadValues_NameTheField(StudyKind kind, string field, int value)
    {
        var options = new StudyOptions { Kind = kind };
        if (field == "Batches")
        {
            options.Batches = [value];
        }
        else
        {
            options.Depths = [value, value];
        }

        Assert.Contains(StudyPlanner.Validate(options), e => e.Field == field);
        Assert.Contains(StudyPlanner.Validate(new StudyOptions { Models = ["builtin:resnet51"] }), e => e.Field == "Models" && e.Problem.Contains("not a built-in model", StringComparison.Ordinal));
        Assert.Contains(StudyPlanner.Validate(new StudyOptions { Kind = StudyKind.Depth, Models = ["builtin:resnet50"] }), e => e.Field == "Models");
        Assert.Contains(StudyPlanner.Validate(new StudyOptions { Measure = new MeasureOptions { Budget = TimeSpan.Zero } }), e => e.Field.Contains("Budget", StringComparison.Ordinal));
        Assert.Empty(StudyPlanner.Validate(new StudyOptions { Kind = kind, Quick = true }));
    }

    private StudyRun Run(StudyOptions options, Probes.IEnergyMeter? meter = null, BenchDaemon.Workloads.Cuda.CudaCanaryRunner? cuda = null)
    {
        var zoo = new ModelZoo(Path.Combine(_root, "cache"), NullLogger<ModelZoo>.Instance);
        var runner = new StudyRunner(new CanaryRunner(s_runtime, TimeProvider.System, NullLogger<CanaryRunner>.Instance, meter, zoo, cuda), meter);
        Assert.Empty(StudyPlanner.Validate(options));
        var resolved = StudyDefaults.Apply(options);
        var run = runner.Run(resolved, StudyPlanner.Plan(resolved, Path.Combine(_root, "engines")), Environment());
        Assert.False(run.Interrupted);
        Assert.Equal(run.PlannedCells, run.Cells.Count);
        StudyReportWriter.Write(run, _root);
        return run;
    }

    private static StudyEnvironment Environment() => StudyEnvironment.Capture("test", s_runtime.Version, s_runtime.Providers, null, null);

    private void AssertFiles(StudyRun run, params string[] charts)
    {
        foreach (var file in new[] { StudyReportWriter.CsvFile, StudyReportWriter.JsonFile, StudyReportWriter.ReportFile, StudyReportWriter.EnvironmentFile }.Concat(charts))
        {
            Assert.True(new FileInfo(Path.Combine(_root, file)).Length > 0, file);
        }

        var csv = File.ReadAllLines(Path.Combine(_root, StudyReportWriter.CsvFile));
        Assert.Equal(string.Join(',', StudyReportWriter.CsvColumns), csv[0]);
        Assert.Equal(run.Cells.Count + 1, csv.Length);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, StudyReportWriter.JsonFile)));
        Assert.Equal(run.Cells.Count, json.RootElement.GetArrayLength());
        var report = File.ReadAllText(Path.Combine(_root, StudyReportWriter.ReportFile));
        Assert.Contains("## Environment", report, StringComparison.Ordinal);
        Assert.Contains(s_runtime.Version, report, StringComparison.Ordinal);
        foreach (var chart in charts)
        {
            Assert.Contains($"]({chart})", report, StringComparison.Ordinal);
            Assert.Equal(0x89, File.ReadAllBytes(Path.Combine(_root, chart))[0]); // PNG signature
        }
    }

    private sealed class FakeEnergyMeter(IReadOnlyList<Probes.EnergyCounter> counters) : Probes.IEnergyMeter
    {
        private double _joules;

        public double JoulesPerRead { get; init; }

        public IReadOnlyList<Probes.EnergyCounter> ReadEnergy()
        {
            _joules += JoulesPerRead;
            return [.. counters.Select(c => c with { Joules = c.Joules + _joules })];
        }
    }
}
