namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// Opens found GPU libraries into this process with <c>RTLD_NOW | RTLD_GLOBAL</c>, leaves
/// first, before ONNX Runtime appends a GPU provider: the provider's own <c>dlopen</c> then
/// finds every dependency already loaded (the loader matches a loaded library by soname), even
/// from folders that are not on the loader path. glibc reads <c>LD_LIBRARY_PATH</c> once at
/// process start, so setting it here would do nothing. Loading is for the worker process only:
/// the daemon never loads CUDA. A library stays loaded for the life of the process; a second
/// preload of a loaded file returns its handle, one that failed is tried again (its missing
/// dependency may have been loaded since).
/// </summary>
public static class GpuLibraryLoader
{
    private static readonly Lock s_lock = new();
    private static readonly Dictionary<string, nint> s_opened = new(StringComparer.Ordinal);

    /// <summary>
    /// Opens every found library of <paramref name="report"/> in its order and returns the report
    /// with <see cref="GpuLibraryStatus.Loaded"/> and <see cref="GpuLibraryStatus.LoadError"/> filled in.
    /// </summary>
    public static GpuLibraryReport Preload(GpuLibraryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report with { Libraries = [.. report.Libraries.Select(Preload)] };
    }

    /// <summary>Opens one found library (nothing to do for one not found).</summary>
    public static GpuLibraryStatus Preload(GpuLibraryStatus library)
    {
        ArgumentNullException.ThrowIfNull(library);
        if (library.Path is null)
        {
            return library;
        }

        var (handle, error) = Open(library.Path);
        return library with { Loaded = handle != 0, LoadError = error };
    }

    /// <summary>The handle of an opened library, or 0 and the loader's message.</summary>
    internal static (nint Handle, string? Error) Open(string path)
    {
        lock (s_lock)
        {
            if (s_opened.TryGetValue(path, out var handle))
            {
                return (handle, null);
            }

            var outcome = DynamicLinkerNative.TryOpen(path, DynamicLinkerNative.Now | DynamicLinkerNative.Global);
            if (outcome.Handle != 0)
            {
                s_opened[path] = outcome.Handle;
            }

            return outcome;
        }
    }
}
