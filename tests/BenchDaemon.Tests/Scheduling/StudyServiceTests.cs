using BenchDaemon.Workers;
using BenchDaemon.Configuration;
using BenchDaemon.Probes;
using BenchDaemon.Scheduling;
using BenchDaemon.Telemetry;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Studies;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Tests.Scheduling;

public sealed class StudyServiceTests : IDisposable
{
    private readonly CoordinatorHarness _harness = new();
    private readonly TempDirectory _state = new();

    public void Dispose()
    {
        _harness.Dispose();
        _state.Dispose();
    }

    [Fact]
    public async Task RunAsync_ScheduledStudy_WritesItsReportAndExportsItsCells()
    {
        var study = new StudyOptions
        {
            Name = "weekly-batch",
            Kind = StudyKind.Batch,
            Models = [_harness.Mlp],
            Providers = ["CPU", "CUDA"],
            Batches = [1, 2],
            Quick = true,
            Threads = 1,
        };
        var service = new StudyService(
            [study],
            new InProcessExecutor(new CanaryRunner(new OnnxRuntimeInfo(), TimeProvider.System, NullLogger<CanaryRunner>.Instance)),
            _harness.Coordinator,
            new WorkerRuntime(new RuntimeDescription(new OnnxRuntimeInfo().Version, new OnnxRuntimeInfo().Providers, null)),
            new NoEnergy(),
            new NoGpuInventory(),
            Options.Create(new StateOptions { Directory = _state.Path }),
            _harness.Lifetime,
            TimeProvider.System,
            NullLogger<StudyService>.Instance);

        var run = await service.RunAsync("weekly-batch", CancellationToken.None);
        var writer = new CapturingWriter();
        service.Collect(writer);

        Assert.NotNull(run);
        var folder = Assert.Single(Directory.GetDirectories(Path.Combine(_state.Path, "studies", "weekly-batch")));
        Assert.True(File.Exists(Path.Combine(folder, StudyReportWriter.ReportFile)));
        var throughput = writer.Series.Where(s => s.Metric == TelemetryCatalogue.StudyThroughput).ToList();
        Assert.Contains(throughput, s => s.Labels.SequenceEqual(["weekly-batch", "mlp", "CPU", "FP32", "2", "optimised"]) && s.Value > 0);
        Assert.Contains(throughput, s => s.Labels[5] == "baseline");
        Assert.Contains(writer.Series, s => s.Metric == TelemetryCatalogue.StudyAse && s.Labels[4] == "2");
        Assert.Contains(writer.Series, s => s.Metric == TelemetryCatalogue.StudyCells && s.Labels[1] == "skipped" && s.Value == 2);
        Assert.Contains(writer.Series, s => s.Metric == TelemetryCatalogue.StudyLastRun && s.Value > 1.7e9);
        Assert.DoesNotContain(writer.Series, s => s.Metric == TelemetryCatalogue.StudyEnergyPerSample);
        Assert.Null(await service.RunAsync("no-such-study", CancellationToken.None));
    }

    private sealed class NoEnergy : IEnergyMeter
    {
        public IReadOnlyList<EnergyCounter> ReadEnergy() => [];
    }
}
