using BenchDaemon.Probes;
using BenchDaemon.Probes.Linux;
using BenchDaemon.Probes.Nvml;
using BenchDaemon.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>The guards' GPU state from the probe (fake NVML, in process).</summary>
public sealed class GpuProbeStatusSourceTests
{
    [Fact]
    public void Status_FromProbe_UtilisationForeignProcessesAndThermal()
    {
        FakeNvmlLibrary.Reset();
        FakeNvmlLibrary.SetCount(2);
        FakeNvmlLibrary.Set(1, "util_gpu", 90);
        FakeNvmlLibrary.Set(1, "reasons", 0x40); // hardware thermal slowdown
        FakeNvmlLibrary.AddProcess(1, (uint)Environment.ProcessId, 1024);
        FakeNvmlLibrary.AddProcess(1, 4242, 1024);
        FakeNvmlLibrary.AddProcess(0, (uint)Environment.ProcessId, 1024);
        var options = Options.Create(new ProbeOptions { Gpu = new GpuProbeOptions { LibraryPath = FakeNvmlLibrary.Path } });
        using var gpu = new GpuProbe(options, TimeProvider.System, NullLogger<GpuProbe>.Instance);
        var sampler = new ProbeSampler(new HostProbe(options, TimeProvider.System, NullLogger<HostProbe>.Instance), options, TimeProvider.System, NullLogger<ProbeSampler>.Instance, gpu);
        var source = new GpuProbeStatusSource(sampler);
        sampler.Tick();
        Assert.Null(source.Status(0)); // the sampler does not initialise NVML: the GPU sampler's start-up does

        gpu.Start();
        sampler.Tick();

        Assert.Equal(new GpuStatus(0.37, 0, false), source.Status(0));
        Assert.Equal(new GpuStatus(0.9, 1, true), source.Status(1));
        Assert.Null(source.Status(2));
    }
}
