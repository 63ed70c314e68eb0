namespace BenchDaemon.Scheduling;

/// <summary>Used while no GPU probe is registered: no GPU state is known.</summary>
public sealed class NoGpuStatusSource : IGpuStatusSource
{
    public GpuStatus? Status(int gpuIndex) => null;
}
