using BenchDaemon.Probes.Nvml;
using BenchDaemon.Probes.Nvml.Benchmark;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Probes.Tests.Nvml;

/// <summary>GPM profiling metrics through the probe's P/Invoke path against the fake NVML.</summary>
[Collection(FakeNvmlTests.Name)]
public sealed class GpuGpmTests : IDisposable
{
    // nvmlGpmMetricId_t numbers of nvml.h.
    private const int SmUtil = 2;
    private const int SmOccupancy = 3;
    private const int AnyTensor = 5;
    private const int Hmma = 7;
    private const int Dmma = 8;
    private const int DramBw = 10;
    private const int Fp16 = 13;
    private const int PcieTx = 20;
    private const int NvlinkRx = 60;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<GpuProbe> _logger = new();
    private readonly List<GpuProbe> _probes = [];

    public GpuGpmTests()
    {
        FakeNvmlLibrary.Reset();
    }

    public void Dispose()
    {
        foreach (var probe in _probes)
        {
            probe.Dispose();
        }
    }

    private GpuProbe Create()
    {
        var options = new ProbeOptions { Gpu = new GpuProbeOptions { LibraryPath = FakeNvmlLibrary.Path } };
        var probe = new GpuProbe(Options.Create(options), _time, _logger);
        _probes.Add(probe);
        probe.Start();
        return probe;
    }

    private static void Script(int gpu)
    {
        FakeNvmlLibrary.Set(gpu, "gpm_supported", 1);
        FakeNvmlLibrary.SetGpm(gpu, SmUtil, 88.5);
        FakeNvmlLibrary.SetGpm(gpu, SmOccupancy, 31.25);
        FakeNvmlLibrary.SetGpm(gpu, AnyTensor, 64);
        FakeNvmlLibrary.SetGpm(gpu, Hmma, 60);
        FakeNvmlLibrary.SetGpm(gpu, DramBw, 42);
        FakeNvmlLibrary.SetGpm(gpu, Fp16, 3);
        FakeNvmlLibrary.SetGpm(gpu, PcieTx, 12.5);   // MiB/s
        FakeNvmlLibrary.SetGpm(gpu, NvlinkRx, 2048); // MiB/s
    }

    [Fact]
    public unsafe void Layout_ManagedStructsMatchTheNewestHeader()
    {
        var (metric, metricsGet, offset) = FakeNvmlLibrary.GpmLayout;

        Assert.Equal(40, metric);
        Assert.Equal(13_344, metricsGet);
        Assert.Equal(metric, sizeof(NvmlGpmMetric));
        Assert.Equal(metricsGet, sizeof(NvmlGpmMetricsGet));
        NvmlGpmMetricsGet get = default;
        Assert.Equal(offset, (int)((byte*)get.Metric(0) - (byte*)&get));
        Assert.Equal(8, (int)((byte*)&get.Metric(0)->Value - (byte*)get.Metric(0)));
        Assert.Equal(8, sizeof(NvmlGpmSupport));
    }

    [Fact]
    public void SampleGpm_SupportedGpu_RatiosAndBytesPerSecondOverTheInterval()
    {
        Script(0);
        var probe = Create();

        probe.SampleGpm();
        Assert.Null(Assert.Single(probe.Sample().Gpus).Gpm); // one sample opens the interval
        _time.Advance(TimeSpan.FromSeconds(5));
        probe.SampleGpm();

        var gpm = Assert.Single(probe.Sample().Gpus).Gpm!;
        Assert.Equal(5, gpm.IntervalSeconds, 6);
        Assert.Equal(0.885, gpm.Get(GpuGpmMetric.SmActive)!.Value, 9);
        Assert.Equal(0.3125, gpm.Get(GpuGpmMetric.SmOccupancy));
        Assert.Equal(0.64, gpm.Get(GpuGpmMetric.TensorActive));
        Assert.Equal(0.60, gpm.Get(GpuGpmMetric.HmmaTensorActive));
        Assert.Equal(0.42, gpm.Get(GpuGpmMetric.DramActive));
        Assert.Equal(0.03, gpm.Get(GpuGpmMetric.Fp16Active));
        Assert.Equal(12.5 * 1024 * 1024, gpm.Get(GpuGpmMetric.PcieTransmit));
        Assert.Equal(2048.0 * 1024 * 1024, gpm.Get(GpuGpmMetric.NvlinkReceive));
        Assert.Equal(0, gpm.Get(GpuGpmMetric.Fp64Active)); // supported and idle: 0, not absent
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Id.Id is 1209 or 1210);
    }

    [Fact]
    public void SampleGpm_SecondSampleWithin100Ms_DroppedIntervalKeepsGrowing()
    {
        Script(0);
        var probe = Create();
        probe.SampleGpm();

        _time.Advance(TimeSpan.FromMilliseconds(60));
        probe.SampleGpm();
        Assert.Null(probe.Sample().Gpus[0].Gpm);

        _time.Advance(TimeSpan.FromMilliseconds(60));
        probe.SampleGpm();
        Assert.Equal(0.12, probe.Sample().Gpus[0].Gpm!.IntervalSeconds, 6);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void SampleGpm_GpuWithoutGpm_OmittedOneLogLineNoErrorNoSampleCalls()
    {
        FakeNvmlLibrary.SetCount(2);
        Script(0);
        var probe = Create();

        for (var i = 0; i < 3; i++)
        {
            probe.SampleGpm();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var sample = probe.Sample();
        Assert.NotNull(sample.Gpus[0].Gpm);
        Assert.Null(sample.Gpus[1].Gpm);
        var line = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1210);
        Assert.Contains("GPU 1", line.Message, StringComparison.Ordinal);
        Assert.Contains("NVML_ERROR_NOT_SUPPORTED", line.Message, StringComparison.Ordinal);
        Assert.Equal(3, FakeNvmlLibrary.GpmSampleCalls); // GPU 0 only
        Assert.False(sample.Errors.ContainsKey("not_supported"));
    }

    [Fact]
    public void SampleGpm_DriverBuiltAgainstThe98EntryHeader_ValuesReadDmmaOmittedAndLoggedOnce()
    {
        // NVML 12.0-12.8: the same version 1 with a 98-entry array; DMMA arrived later.
        FakeNvmlLibrary.SetGpmMax(98);
        Script(0);
        FakeNvmlLibrary.SetGpm(0, Dmma, 7);
        var probe = Create();

        for (var i = 0; i < 4; i++)
        {
            probe.SampleGpm();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var gpm = probe.Sample().Gpus[0].Gpm!;
        Assert.Equal(0.885, gpm.Get(GpuGpmMetric.SmActive)!.Value, 9);
        Assert.Null(gpm.Get(GpuGpmMetric.DmmaTensorActive));
        var line = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1209);
        Assert.Contains("DmmaTensorActive", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SampleGpm_NewestHeader_DmmaReported()
    {
        Script(0);
        FakeNvmlLibrary.SetGpm(0, Dmma, 7);
        var probe = Create();
        probe.SampleGpm();
        _time.Advance(TimeSpan.FromSeconds(1));
        probe.SampleGpm();

        Assert.Equal(0.07, probe.Sample().Gpus[0].Gpm!.Get(GpuGpmMetric.DmmaTensorActive));
    }

    [Fact]
    public void Dispose_FreesTheGpmSampleBuffers()
    {
        FakeNvmlLibrary.SetCount(2);
        Script(0);
        Script(1);
        var before = FakeNvmlLibrary.GpmSamplesLive;
        var probe = Create();
        probe.SampleGpm();
        Assert.Equal(before + 4, FakeNvmlLibrary.GpmSamplesLive);

        probe.Dispose();

        Assert.Equal(before, FakeNvmlLibrary.GpmSamplesLive);
    }

    [Fact]
    public void Benchmark_GpmGpu_ReportsTheGpmSampleCost()
    {
        Script(0);
        var probe = Create();

        var result = GpuProbeBenchmark.Run(probe, 20, 2);

        var cost = Assert.Single(Assert.Single(result.Gpus).Costs, c => c.Operation == "gpm_sample");
        Assert.Equal(20, cost.Iterations);
        Assert.True(cost.MedianMicroseconds > 0);
        Assert.Equal(0.885, probe.Sample().Gpus[0].Gpm!.Get(GpuGpmMetric.SmActive)!.Value, 9);
    }

    [Fact]
    public void StartWindow_GpmGpu_SummaryCarriesTheWindowsActivityAndFreesItsBuffers()
    {
        FakeNvmlLibrary.SetCount(2);
        Script(0);
        var probe = Create();
        var live = FakeNvmlLibrary.GpmSamplesLive;

        var window = probe.StartWindow();
        Assert.Equal(live + 2, FakeNvmlLibrary.GpmSamplesLive); // GPU 0 only
        _time.Advance(TimeSpan.FromSeconds(2));
        var summary = window.Stop();

        var gpm = summary[0].Gpm!;
        Assert.Equal(2, gpm.IntervalSeconds, 6);
        Assert.Equal(0.885, gpm.Get(GpuGpmMetric.SmActive)!.Value, 9);
        Assert.Equal(0.64, gpm.Get(GpuGpmMetric.TensorActive));
        Assert.Equal(0.42, gpm.Get(GpuGpmMetric.DramActive));
        Assert.Null(summary[1].Gpm);
        Assert.Equal(live, FakeNvmlLibrary.GpmSamplesLive);
    }

    [Fact]
    public void StartWindow_ShorterThan100Ms_NoGpmForTheWindow()
    {
        Script(0);
        var probe = Create();

        var window = probe.StartWindow();
        _time.Advance(TimeSpan.FromMilliseconds(80));

        Assert.Null(Assert.Single(window.Stop()).Gpm);
    }
}
