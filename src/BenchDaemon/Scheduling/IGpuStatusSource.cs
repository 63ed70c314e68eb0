namespace BenchDaemon.Scheduling;

/// <summary>Latest state of a GPU for the guards; the NVML probe provides it where present.</summary>
public interface IGpuStatusSource
{
    /// <summary>The GPU's state, or null when no GPU probe knows this GPU (the GPU guards then let the run through).</summary>
    GpuStatus? Status(int gpuIndex);
}
