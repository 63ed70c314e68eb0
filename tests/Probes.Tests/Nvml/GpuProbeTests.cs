using BenchDaemon.Probes.Linux;
using BenchDaemon.Probes.Nvml;
using BenchDaemon.Probes.Nvml.Benchmark;
using BenchDaemon.Probes.Tests.Linux;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Probes.Tests.Nvml;

/// <summary>
/// The GPU probe against the fake NVML, loaded through the probe's own resolver and P/Invoke
/// stubs. The fake's state is process-wide, so these tests run one at a time.
/// </summary>
[Collection(FakeNvmlTests.Name)]
public sealed class GpuProbeTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<GpuProbe> _logger = new();
    private readonly List<GpuProbe> _probes = [];

    public GpuProbeTests()
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

    private GpuProbe Create(string? libraryPath = null, bool processMetrics = false)
    {
        var options = new ProbeOptions
        {
            Gpu = new GpuProbeOptions
            {
                LibraryPath = libraryPath ?? FakeNvmlLibrary.Path,
                ProcessMetrics = processMetrics,
                RetryInitial = TimeSpan.FromSeconds(10),
                RetryMax = TimeSpan.FromSeconds(40),
            },
        };
        var probe = new GpuProbe(Options.Create(options), _time, _logger);
        _probes.Add(probe);
        return probe;
    }

    [Fact]
    public void ViolationTimes_AreReadOnTheEnergyCadenceNotOnTheFastTick()
    {
        // nvmlDeviceGetViolationStatus costs ~0.7 ms per policy on an H100: the 1 s tick reuses the last reading.
        FakeNvmlLibrary.Set(0, "violation", 1_000_000_000); // ns
        var probe = Create();
        probe.SampleEnergy();
        Assert.Equal(1.0, Assert.Single(probe.Sample().Gpus).ViolationSeconds!["power"]);

        FakeNvmlLibrary.Set(0, "violation", 3_000_000_000);
        Assert.Equal(1.0, Assert.Single(probe.Sample().Gpus).ViolationSeconds!["power"]);

        probe.SampleEnergy();
        Assert.Equal(3.0, Assert.Single(probe.Sample().Gpus).ViolationSeconds!["power"]);
    }

    [Fact]
    public void Sample_ScriptedValues_ArriveInBaseUnits()
    {
        FakeNvmlLibrary.Set(0, "power", 250_500);          // mW
        FakeNvmlLibrary.Set(0, "energy", 7_654_321);       // mJ
        FakeNvmlLibrary.Set(0, "clock_sm", 1_755);         // MHz
        FakeNvmlLibrary.Set(0, "util_gpu", 85);            // %
        FakeNvmlLibrary.Set(0, "pcie_tx", 3_000);          // KB/s
        var probe = Create();

        probe.SampleEnergy();
        probe.SampleSlow();
        var sample = probe.Sample();

        Assert.True(sample.Up);
        var gpu = Assert.Single(sample.Gpus);
        Assert.Equal(250.5, gpu.PowerWatts);
        Assert.Equal(7_654.321, gpu.EnergyJoules!.Value, 6);
        Assert.Equal(1.755e9, gpu.Clocks!.SmHertz);
        Assert.Equal(2.619e9, gpu.Clocks.MemoryHertz);
        Assert.Equal(1.98e9, gpu.MaxClocks!.SmHertz);
        Assert.Equal(0.85, gpu.Utilization);
        Assert.Equal(0.12, gpu.MemoryUtilization);
        Assert.Equal(3_000 * 1024.0, gpu.Pcie!.TransmitBytesPerSecond);
        Assert.Equal(5, gpu.Pcie.LinkGeneration);
        Assert.Equal(16, gpu.Pcie.LinkMaxWidth);
        Assert.Equal(41, gpu.TemperatureCelsius);
        Assert.Equal(0, gpu.PerformanceState);
        Assert.Equal(["sw_power_cap"], gpu.ClockEventReasonNames);
        // Violation time is in nanoseconds; the fake supports only power and thermal.
        Assert.Equal(2.5, gpu.ViolationSeconds!["power"]);
        Assert.Equal(5.0, gpu.ViolationSeconds["thermal"]);
        Assert.False(gpu.ViolationSeconds.ContainsKey("sync_boost"));
        Assert.Equal(1_073_741_824, gpu.MemoryUsedBytes);
        Assert.Equal(536_870_912, gpu.MemoryReservedBytes);
        Assert.Equal(3, gpu.Ecc!.Corrected);
        Assert.Equal(1, gpu.Ecc.RemappedCorrectable);
        Assert.Equal("counter", gpu.EnergySource);

        var id = gpu.Identity;
        Assert.Equal("GPU-fake-0000", id.Uuid);
        Assert.Equal("Fake H100 80GB HBM3", id.Name);
        Assert.Equal("00000000:1A:00.0", id.PciBusId);
        Assert.Equal("580.95.05", id.DriverVersion);
        Assert.Equal("13.0", id.CudaDriverVersion);
        Assert.Equal("9.0", id.ComputeCapability);
        Assert.Equal(700.0, id.PowerLimitWatts);
        Assert.Equal(85_520_809_984, id.MemoryTotalBytes);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void Sample_NotSupportedField_OmittedForThatGpuAndLoggedOnce()
    {
        FakeNvmlLibrary.SetCount(2);
        FakeNvmlLibrary.SetStatus(1, "power", FakeNvmlLibrary.NotSupported);
        FakeNvmlLibrary.SetStatus(1, "temp", FakeNvmlLibrary.NotSupported);
        var probe = Create();

        GpuProbeSample sample = null!;
        for (var i = 0; i < 3; i++)
        {
            sample = probe.Sample();
        }

        Assert.Equal(123.456, sample.Gpus[0].PowerWatts);
        Assert.Equal(41, sample.Gpus[0].TemperatureCelsius);
        Assert.Null(sample.Gpus[1].PowerWatts);
        Assert.Null(sample.Gpus[1].TemperatureCelsius);
        Assert.NotNull(sample.Gpus[1].Utilization);
        var notSupported = _logger.Collector.GetSnapshot().Where(r => r.Id.Id == 1202).ToList();
        Assert.Equal(2, notSupported.Count);
        Assert.Contains(notSupported, r => r.Message.Contains("Power", StringComparison.Ordinal) && r.Message.Contains("GPU 1", StringComparison.Ordinal));
        // Counted once per field and GPU, like the log: the field is not asked again.
        Assert.Equal(2, sample.Errors["not_supported"]);
        Assert.False(sample.Errors.ContainsKey("read_failed"));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void Sample_GpuLostMidRun_OtherGpuKeepsReportingAndProbeRecoversAfterBackOff()
    {
        FakeNvmlLibrary.SetCount(2);
        var probe = Create();
        Assert.True(probe.Sample().Up);

        FakeNvmlLibrary.SetLost(0, true);
        var oneLost = probe.Sample();

        Assert.True(oneLost.Up);
        Assert.False(oneLost.Gpus[0].Up);
        Assert.Null(oneLost.Gpus[0].PowerWatts);
        Assert.True(oneLost.Gpus[1].Up);
        Assert.Equal(123.456, oneLost.Gpus[1].PowerWatts);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1205);
        Assert.Equal(1, probe.Sample().Errors["gpu_lost"]);
        Assert.DoesNotContain(probe.ReadEnergy(), e => e.Domain == "gpu:0");

        FakeNvmlLibrary.SetLost(1, true);
        var allLost = probe.Sample();
        Assert.False(allLost.Up);
        Assert.Contains("lost", allLost.Reason, StringComparison.Ordinal);
        var down = probe.Sample();
        Assert.False(down.Up);
        Assert.Equal(2, down.Errors["gpu_lost"]);
        Assert.False(FakeNvmlLibrary.Initialised); // shut down to be re-initialised

        // Retried while still lost: stays down, no "probe up" for GPUs that cannot answer, not counted again.
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(probe.RetryIfDue());
        var stillLost = probe.Sample();
        Assert.False(stillLost.Up);
        Assert.Equal(2, stillLost.Errors["gpu_lost"]);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1200);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1201);

        FakeNvmlLibrary.SetLost(0, false);
        FakeNvmlLibrary.SetLost(1, false);
        Assert.False(probe.RetryIfDue()); // back-off (doubled to 20 s) not over yet
        _time.Advance(TimeSpan.FromSeconds(21));
        Assert.True(probe.RetryIfDue());

        var recovered = probe.Sample();
        Assert.True(recovered.Up);
        Assert.All(recovered.Gpus, g => Assert.True(g.Up));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void Sample_LibraryMissing_DownWithReasonAndRetriesOnBackOff()
    {
        var probe = Create("/nonexistent/benchdaemon/libnvidia-ml.so.1");

        var sample = probe.Sample();

        Assert.False(sample.Up);
        Assert.Empty(sample.Gpus);
        Assert.Contains("/nonexistent/benchdaemon/libnvidia-ml.so.1 does not exist", sample.Reason, StringComparison.Ordinal);
        Assert.Empty(probe.Gpus);
        Assert.Empty(probe.ReadEnergy());
        Assert.Empty(probe.StartWindow().Stop());
        var down = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1201);
        Assert.Contains("00:00:10", down.Message, StringComparison.Ordinal);
        Assert.Equal(1, sample.Errors["init_failed"]);

        Assert.False(probe.RetryIfDue());
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(probe.RetryIfDue());
        // Back-off doubles: the second failure waits 20 s; the same reason again is logged at debug
        // level only (event 1221), so a machine without a driver gets one warning, not one per retry.
        Assert.Contains("00:00:20", _logger.Collector.GetSnapshot().Last(r => r.Id.Id == 1221).Message, StringComparison.Ordinal);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1201);
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.False(probe.RetryIfDue());
        Assert.Equal(2, probe.Sample().Errors["init_failed"]);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void Sample_InitFailure_DownThenUpWhenDriverLoads()
    {
        FakeNvmlLibrary.SetInitResult(FakeNvmlLibrary.DriverNotLoaded);
        var probe = Create();

        var down = probe.Sample();

        Assert.False(down.Up);
        Assert.Contains("NVML_ERROR_DRIVER_NOT_LOADED", down.Reason, StringComparison.Ordinal);

        FakeNvmlLibrary.SetInitResult(0);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(probe.RetryIfDue());
        Assert.True(probe.Sample().Up);
        Assert.Null(probe.DownReason);
    }

    [Fact]
    public void Sample_ZeroGpus_Down()
    {
        FakeNvmlLibrary.SetCount(0);
        var probe = Create();

        var sample = probe.Sample();

        Assert.False(sample.Up);
        Assert.Equal("NVML found no GPUs", sample.Reason);
        Assert.False(FakeNvmlLibrary.Initialised);
    }

    [Fact]
    public void ReadEnergy_Counter_MonotonicAcrossTicksAndDriverReload()
    {
        var probe = Create();
        probe.Sample();

        FakeNvmlLibrary.Set(0, "energy", 5_000_000);
        var first = Assert.Single(probe.ReadEnergy());
        FakeNvmlLibrary.Set(0, "energy", 5_250_000);
        probe.SampleEnergy();
        var second = probe.Sample().Gpus[0].EnergyJoules;
        // A driver reload restarts NVML's counter near zero: the exported total keeps growing.
        FakeNvmlLibrary.Set(0, "energy", 1_000);
        var third = Assert.Single(probe.ReadEnergy());

        Assert.Equal("gpu:0", first.Domain);
        Assert.Equal(5_000.0, first.Joules, 6);
        Assert.Equal(5_250.0, second!.Value, 6);
        Assert.Equal(5_251.0, third.Joules, 6);
    }

    [Fact]
    public void ReadEnergy_NoCounter_IntegratesPowerAndSaysSo()
    {
        FakeNvmlLibrary.SetStatus(0, "energy", FakeNvmlLibrary.NotSupported);
        FakeNvmlLibrary.Set(0, "power", 100_000);
        var probe = Create();

        probe.Sample();
        _time.Advance(TimeSpan.FromSeconds(2));
        var sample = probe.Sample();

        var gpu = sample.Gpus[0];
        Assert.Equal("power_integration", gpu.EnergySource);
        Assert.Equal(200.0, gpu.EnergyJoules!.Value, 6);
        Assert.Equal(200.0, Assert.Single(probe.ReadEnergy()).Joules, 6);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1206);
    }

    [Fact]
    public void Gpus_TwoGpus_TwoIdentities()
    {
        FakeNvmlLibrary.SetCount(2);
        var probe = Create();
        probe.Start();

        var gpus = probe.Gpus;

        Assert.Equal([0, 1], gpus.Select(g => g.Index));
        Assert.Equal(["GPU-fake-0000", "GPU-fake-0001"], gpus.Select(g => g.Uuid));
        Assert.Equal(["00000000:1A:00.0", "00000000:1B:00.0"], gpus.Select(g => g.PciBusId));
        Assert.Equal(["gpu:0", "gpu:1"], probe.ReadEnergy().Select(e => e.Domain));
    }

    [Fact]
    public void StartWindow_ReasonsDuringWindow_AllReported()
    {
        FakeNvmlLibrary.SetCount(2);
        var probe = Create();
        probe.Sample();

        var window = probe.StartWindow([0]);
        FakeNvmlLibrary.Set(0, "reasons", 0x20 | 0x4);
        FakeNvmlLibrary.Set(0, "clock_sm", 1_500);
        probe.Sample();
        FakeNvmlLibrary.Set(0, "reasons", 0x1);
        FakeNvmlLibrary.Set(0, "clock_sm", 1_980);
        var summary = Assert.Single(window.Stop());

        Assert.Equal(0, summary.Index);
        Assert.Equal(["gpu_idle", "sw_power_cap", "sw_thermal_slowdown"], summary.ClockEventReasons);
        Assert.Equal(3, summary.Samples);
        Assert.Equal(1.5e9, summary.SmClockMinHertz);
        Assert.Equal((1.98e9 + 1.5e9 + 1.98e9) / 3, summary.SmClockMeanHertz!.Value, 3);
        FakeNvmlLibrary.Set(0, "reasons", 0x40);
        probe.Sample();
        Assert.Equal(["gpu_idle", "sw_power_cap", "sw_thermal_slowdown"], window.Stop()[0].ClockEventReasons);
    }

    [Fact]
    public void Sample_XidEventsAndProcesses_Reported()
    {
        FakeNvmlLibrary.AddProcess(0, (uint)Environment.ProcessId, 1_048_576);
        FakeNvmlLibrary.AddProcess(0, 999_999, ulong.MaxValue);
        var probe = Create(processMetrics: true);
        probe.Sample();

        FakeNvmlLibrary.PushXid(0, 79);
        FakeNvmlLibrary.PushXid(0, 79);
        FakeNvmlLibrary.PushXid(0, 48);
        var gpu = probe.Sample().Gpus[0];

        Assert.Equal(2, gpu.XidErrors![79]);
        Assert.Equal(1, gpu.XidErrors[48]);
        Assert.Equal(2, gpu.Processes!.Count);
        var own = gpu.Processes.Single(p => p.Pid == Environment.ProcessId);
        Assert.Equal(1_048_576, own.UsedBytes);
        Assert.False(string.IsNullOrEmpty(own.Name));
        // NVML_VALUE_NOT_AVAILABLE: memory unknown, not 16 EiB.
        Assert.Null(gpu.Processes.Single(p => p.Pid == 999_999).UsedBytes);
    }

    [Fact]
    public void Benchmark_Fake_ReportsEveryOperation()
    {
        var probe = Create();

        var result = GpuProbeBenchmark.Run(probe, 20, 5);

        Assert.True(result.Up);
        var gpu = Assert.Single(result.Gpus);
        Assert.Equal(["fast_sample", "energy_read", "violation_sample", "pcie_sample", "xid_event_poll", "process_sample", "utilization_call", "power_call", "temperature_call"], gpu.Costs.Select(c => c.Operation));
        Assert.All(gpu.Costs, c => Assert.True(c.MinMicroseconds >= 0 && c.MedianMicroseconds >= c.MinMicroseconds && c.P99Microseconds >= c.MedianMicroseconds, c.ToString()));
        // A fast sample is some twenty NVML calls: measurably more than nothing even against the fake.
        Assert.True(gpu.Costs[0].MedianMicroseconds > 0, gpu.Costs[0].ToString());
        Assert.Equal(5, gpu.Costs.Single(c => c.Operation == "pcie_sample").Iterations);
    }

    [Fact]
    public void Disabled_NoNvmlCalls()
    {
        var options = new ProbeOptions { Gpu = new GpuProbeOptions { Enabled = false, LibraryPath = FakeNvmlLibrary.Path } };
        using var probe = new GpuProbe(Options.Create(options), _time, _logger);
        var before = FakeNvmlLibrary.InitCalls;

        var sample = probe.Sample();

        Assert.False(sample.Up);
        Assert.Contains("disabled", sample.Reason, StringComparison.Ordinal);
        Assert.Equal(before, FakeNvmlLibrary.InitCalls);
    }

    [Fact]
    public void CompositeEnergyMeter_CpuAndGpuDomains()
    {
        FakeNvmlLibrary.SetCount(2);
        var probe = Create();
        var rapl = new RaplEnergyMeter(Options.Create(new ProbeOptions { SysRoot = Fixture.PathOf("sys-two-packages") }));
        var meter = new CompositeEnergyMeter(rapl, probe);

        var domains = meter.ReadEnergy().Select(e => e.Domain).ToList();

        Assert.Contains("cpu:package-0", domains);
        Assert.Contains("gpu:0", domains);
        Assert.Contains("gpu:1", domains);
    }
}
