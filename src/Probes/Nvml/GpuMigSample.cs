namespace BenchDaemon.Probes.Nvml;

/// <summary>One MIG device (a compute instance within a GPU instance) of a GPU with MIG mode on.</summary>
/// <param name="GpuInstance">GPU instance id (<c>nvmlDeviceGetGpuInstanceId</c>).</param>
/// <param name="ComputeInstance">Compute instance id within it (<c>nvmlDeviceGetComputeInstanceId</c>).</param>
/// <param name="Uuid">The MIG device's UUID (<c>MIG-…</c>).</param>
/// <param name="Profile">MIG profile from the device name: <c>1g.10gb</c>, or <c>1c.2g.20gb</c> for a compute instance smaller than its GPU instance.</param>
/// <param name="MemoryUsedBytes">Memory in use in the GPU instance (its compute instances share it).</param>
/// <param name="MemoryTotalBytes">Memory of the GPU instance.</param>
public sealed record GpuMigSample(int GpuInstance, int ComputeInstance, string Uuid, string Profile, long? MemoryUsedBytes, long? MemoryTotalBytes)
{
    /// <summary>The GPU instance's profile: <c>2g.20gb</c> for <c>1c.2g.20gb</c>.</summary>
    public string GpuInstanceProfile => Profile.Count(c => c == '.') == 2 ? Profile[(Profile.IndexOf('.', StringComparison.Ordinal) + 1)..] : Profile;

    /// <summary>The profile in an NVML MIG device name ("NVIDIA H100 80GB HBM3 MIG 1g.10gb"), or "unknown".</summary>
    public static string ProfileOf(string name)
    {
        var at = name.LastIndexOf("MIG ", StringComparison.Ordinal);
        return at >= 0 && at + 4 < name.Length ? name[(at + 4)..].Trim() : "unknown";
    }
}
