namespace BenchDaemon.Probes.Nvml;

/// <summary>A compute process on a GPU and the GPU memory it uses (null where NVML cannot tell, e.g. in containers).</summary>
public sealed record GpuProcessMemory(int Pid, string Name, long? UsedBytes);
