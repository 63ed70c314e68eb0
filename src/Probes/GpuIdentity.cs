namespace BenchDaemon.Probes;

/// <summary>
/// What identifies one GPU and its software stack: the GPU probe fills it from NVML, the
/// history uses it in environment fingerprints, the info metric exports it.
/// </summary>
/// <param name="Index">NVML device index (the <c>gpu</c> label).</param>
/// <param name="Uuid">NVML UUID, for example <c>GPU-5c1e…</c> (the <c>uuid</c> label).</param>
/// <param name="Name">Product name, for example <c>NVIDIA H100 80GB HBM3</c>.</param>
/// <param name="PciBusId">PCI bus id as NVML prints it, for example <c>00000000:1A:00.0</c>.</param>
/// <param name="DriverVersion">Kernel driver version, for example <c>580.95.05</c>.</param>
/// <param name="CudaDriverVersion">Highest CUDA version the driver supports, for example <c>13.0</c>.</param>
/// <param name="ComputeCapability">Major.minor, for example <c>9.0</c>.</param>
/// <param name="MemoryTotalBytes">Framebuffer memory in bytes.</param>
/// <param name="PowerLimitWatts">Enforced power limit, or null where the GPU does not report one.</param>
public sealed record GpuIdentity(
    int Index,
    string Uuid,
    string Name,
    string PciBusId,
    string DriverVersion,
    string CudaDriverVersion,
    string ComputeCapability,
    long MemoryTotalBytes,
    double? PowerLimitWatts);
