using BenchDaemon.Scheduling;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>GPU states set by the test; remembers which GPU indices the guards asked about.</summary>
public sealed class FakeGpuStatusSource : IGpuStatusSource
{
    public Dictionary<int, GpuStatus> Statuses { get; } = [];

    public List<int> Asked { get; } = [];

    public GpuStatus? Status(int gpuIndex)
    {
        Asked.Add(gpuIndex);
        return Statuses.GetValueOrDefault(gpuIndex);
    }
}
