using BenchDaemon.Probes.Nvml;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Probes.Tests.Nvml;

/// <summary>MIG devices, their memory and GPM per GPU instance through the probe's P/Invoke path against the fake NVML.</summary>
[Collection(FakeNvmlTests.Name)]
public sealed class GpuMigTests : IDisposable
{
    private const ulong GiB = 1UL << 30;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<GpuProbe> _logger = new();
    private GpuProbe? _probe;

    public GpuMigTests()
    {
        FakeNvmlLibrary.Reset();
    }

    public void Dispose() => _probe?.Dispose();

    private GpuProbe Create(bool processMetrics = false)
    {
        var options = new ProbeOptions { Gpu = new GpuProbeOptions { LibraryPath = FakeNvmlLibrary.Path, ProcessMetrics = processMetrics } };
        _probe = new GpuProbe(Options.Create(options), _time, _logger);
        _probe.Start();
        return _probe;
    }

    [Fact]
    public void Sample_MigModeOn_DevicesWithInstancesProfileMemoryAndGpmPerGpuInstance()
    {
        FakeNvmlLibrary.Set(0, "gpm_supported", 1);
        FakeNvmlLibrary.SetGpm(0, 2, 40);   // SM; GPU instance g reads 40 + g in the fake
        FakeNvmlLibrary.SetGpm(0, 10, 10);  // DRAM
        FakeNvmlLibrary.AddMig(0, 1, 0, "1g.10gb", 1 * GiB, 10 * GiB);
        FakeNvmlLibrary.AddMig(0, 2, 0, "1c.2g.20gb", 3 * GiB, 20 * GiB);
        FakeNvmlLibrary.AddMig(0, 2, 1, "1c.2g.20gb", 3 * GiB, 20 * GiB);
        var probe = Create();

        probe.SampleGpm();
        _time.Advance(TimeSpan.FromSeconds(1));
        probe.SampleGpm();
        var gpu = Assert.Single(probe.Sample().Gpus);

        var mig = gpu.Mig!;
        Assert.Equal([(1, 0), (2, 0), (2, 1)], mig.Select(m => (m.GpuInstance, m.ComputeInstance)));
        Assert.Equal("1g.10gb", mig[0].Profile);
        Assert.Equal("1c.2g.20gb", mig[1].Profile);
        Assert.Equal("2g.20gb", mig[1].GpuInstanceProfile);
        Assert.Equal("MIG-fake-0000-2-1", mig[2].Uuid);
        Assert.Equal((long)(3 * GiB), mig[1].MemoryUsedBytes);
        Assert.Equal((long)(20 * GiB), mig[1].MemoryTotalBytes);
        Assert.Equal(0.41, gpu.MigGpm![1].Get(GpuGpmMetric.SmActive)!.Value, 9);
        Assert.Equal(0.42, gpu.MigGpm[2].Get(GpuGpmMetric.SmActive)!.Value, 9);
        Assert.Equal(0.12, gpu.MigGpm[2].Get(GpuGpmMetric.DramActive)!.Value, 9);
        Assert.Equal(2, gpu.MigGpm.Count);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void SampleEnergy_MigModeOn_ProcessUtilizationNotSupportedLoggedOnce()
    {
        FakeNvmlLibrary.AddMig(0, 1, 0, "1g.10gb", GiB, 10 * GiB);
        FakeNvmlLibrary.AddProcess(0, 4242, GiB);
        var probe = Create(processMetrics: true);
        probe.Sample();
        probe.SampleEnergy();
        probe.SampleEnergy();

        var process = Assert.Single(probe.Sample().Gpus[0].Processes!);

        Assert.Null(process.SmUtilization);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1202 && r.Message.Contains("ProcessUtilization", StringComparison.Ordinal));
    }

    [Fact]
    public void Sample_GpuWithoutGpmMigOrNvlink_NothingNewButOneLogLine()
    {
        var probe = Create();
        probe.SampleGpm();
        probe.SampleSlow();
        _time.Advance(TimeSpan.FromSeconds(1));
        probe.SampleGpm();

        var gpu = Assert.Single(probe.Sample().Gpus);

        Assert.Null(gpu.Gpm);
        Assert.Null(gpu.Mig);
        Assert.Null(gpu.MigGpm);
        Assert.Null(gpu.Nvlinks);
        // Beyond "GPU probe up", the single line saying GPM is unavailable.
        var lines = _logger.Collector.GetSnapshot().Where(r => r.Id.Id != 1200).ToList();
        Assert.Equal(1210, Assert.Single(lines).Id.Id);
    }

    [Fact]
    public void SampleSlow_MigTurnedOffByTheAdministrator_DevicesAndTheirGpmGo()
    {
        FakeNvmlLibrary.Set(0, "gpm_supported", 1);
        FakeNvmlLibrary.AddMig(0, 1, 0, "1g.10gb", GiB, 10 * GiB);
        var before = FakeNvmlLibrary.GpmSamplesLive;
        var probe = Create();
        Assert.NotNull(probe.Sample().Gpus[0].Mig);
        Assert.Equal(before + 4, FakeNvmlLibrary.GpmSamplesLive); // the GPU's pair and the instance's pair

        FakeNvmlLibrary.Set(0, "mig_mode", 0);
        probe.SampleSlow();

        Assert.Null(probe.Sample().Gpus[0].Mig);
        Assert.Equal(before + 2, FakeNvmlLibrary.GpmSamplesLive);
    }
}
