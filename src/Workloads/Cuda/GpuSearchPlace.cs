namespace BenchDaemon.Workloads.Cuda;

/// <summary>One place searched for GPU libraries: a folder, or the loader's cache file.</summary>
/// <param name="Source">Which kind of place it is.</param>
/// <param name="Location">The folder (or <c>/etc/ld.so.cache</c>).</param>
public sealed record GpuSearchPlace(GpuLibrarySource Source, string Location)
{
    /// <summary>The place as a user reads it: <c>/usr/local/cuda/lib64 (CUDA_HOME)</c>.</summary>
    public override string ToString() => $"{Location} ({Source switch
    {
        GpuLibrarySource.Configured => "Cuda:LibraryDirectory",
        GpuLibrarySource.CudaHome => "CUDA_HOME",
        GpuLibrarySource.PythonPackages => "pip/conda",
        _ => "loader path",
    }})";
}
