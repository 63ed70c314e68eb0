using System.Text.Json.Serialization;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>Where a GPU library was looked for or found, in search order.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GpuLibrarySource>))]
public enum GpuLibrarySource
{
    /// <summary><c>Cuda:LibraryDirectory</c>.</summary>
    Configured,

    /// <summary><c>$CUDA_HOME</c> or <c>$CUDA_PATH</c> (lib64, lib, targets/…/lib).</summary>
    CudaHome,

    /// <summary>pip's NVIDIA wheels in a Python site-packages folder (<c>nvidia/*/lib</c>, <c>tensorrt_libs</c>) or a conda environment's lib.</summary>
    PythonPackages,

    /// <summary>The dynamic loader's own path: <c>LD_LIBRARY_PATH</c>, <c>/etc/ld.so.cache</c>, the system folders.</summary>
    LoaderPath,
}
