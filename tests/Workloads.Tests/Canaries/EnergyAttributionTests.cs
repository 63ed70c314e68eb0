using BenchDaemon.Probes;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class EnergyAttributionTests
{
    private static readonly EnergyCounter[] s_before = [new("cpu:package-0", 100), new("cpu:dram", 10), new("cpu:core-0", 50), new("gpu:0", 1000), new("gpu:1", 2000)];
    private static readonly EnergyCounter[] s_after = [new("cpu:package-0", 130), new("cpu:dram", 20), new("cpu:core-0", 70), new("gpu:0", 1700), new("gpu:1", 2100)];

    [Fact]
    public void CpuCanary_PaysForPackageAndDramOnly_GpusStayInThePerCounterEnergy()
    {
        var (energy, perSample) = MeasuredWindow.EnergyDelta(s_before, s_after, samples: 10, device: DeviceRef.Cpu);

        Assert.Equal(4.0, perSample); // (30 + 10) J / 10 samples; the idle GPUs' 800 J are not the canary's
        Assert.Equal(700, energy!["gpu:0"]);
        Assert.Equal(100, energy["gpu:1"]);
    }

    [Fact]
    public void GpuCanary_PaysForTheHostAndItsOwnGpu()
    {
        var (_, perSample) = MeasuredWindow.EnergyDelta(s_before, s_after, samples: 10, device: DeviceRef.Gpu(0));

        Assert.Equal(74.0, perSample); // (30 + 10 + 700) J / 10; not gpu:1's 100 J, not the core sub-zone
    }

    [Fact]
    public void CpuCanary_WithOnlyGpuCounters_HasNoEnergyPerSample()
    {
        // A VM without RAPL on a GPU server: the GPU counter must not pass for the CPU's energy.
        var (energy, perSample) = MeasuredWindow.EnergyDelta([new("gpu:0", 5)], [new("gpu:0", 75)], samples: 7, device: DeviceRef.Cpu);

        Assert.Null(perSample);
        Assert.Equal(70, energy!["gpu:0"]);
    }
}
