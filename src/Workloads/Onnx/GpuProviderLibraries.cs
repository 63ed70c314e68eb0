using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// Finds and preloads what a GPU provider needs, once per process and provider, before ONNX
/// Runtime appends it (<see cref="Canaries.ExecutionProviders"/> calls <see cref="Prepare"/>
/// itself). Uses <see cref="CudaLibraries.Discovery"/>, so <c>Cuda:LibraryDirectory</c> applies
/// once <see cref="CudaLibraries.Configure"/> was called (the usability check does).
/// </summary>
public static class GpuProviderLibraries
{
    private static readonly Lock s_lock = new();
    private static readonly Dictionary<string, GpuLibraryReport> s_prepared = new(StringComparer.Ordinal);

    /// <summary>
    /// Discovers the libraries of <paramref name="ortProvider"/> and preloads the found ones,
    /// leaves first. A complete, loaded set is kept and returned again; an incomplete one is
    /// searched again at the next call (a library may have been installed since).
    /// </summary>
    public static GpuLibraryReport Prepare(string ortProvider)
    {
        ArgumentNullException.ThrowIfNull(ortProvider);
        lock (s_lock)
        {
            if (s_prepared.TryGetValue(ortProvider, out var ready))
            {
                return ready;
            }

            var report = GpuLibraryLoader.Preload(CudaLibraries.Discovery().Find(GpuLibraryCatalogue.For(ortProvider)));
            if (report.Problem() is null)
            {
                s_prepared[ortProvider] = report;
            }

            return report;
        }
    }
}
