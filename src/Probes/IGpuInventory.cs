namespace BenchDaemon.Probes;

/// <summary>The GPUs the GPU probe currently knows.</summary>
public interface IGpuInventory
{
    /// <summary>One entry per GPU, by index; empty where there is no GPU, no driver, or NVML is not initialised yet.</summary>
    IReadOnlyList<GpuIdentity> Gpus { get; }
}
