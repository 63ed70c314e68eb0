namespace BenchDaemon.Workloads.Cuda;

/// <summary>Where the CUDA micro-canaries find their native libraries (section <c>Cuda</c>).</summary>
public sealed class CudaOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Cuda";

    /// <summary>
    /// A directory searched first for <c>libcuda.so.1</c> and <c>libcublasLt.so.13</c> / <c>.so.12</c>,
    /// before <c>$CUDA_HOME/lib64</c> (cuBLASLt only) and the system library path. Empty: no such directory.
    /// </summary>
    public string? LibraryDirectory { get; set; }
}
