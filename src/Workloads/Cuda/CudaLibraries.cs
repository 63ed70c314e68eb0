using System.Reflection;
using System.Runtime.InteropServices;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// Finds and loads the CUDA driver and cuBLASLt for the micro-canaries through
/// <see cref="GpuLibraryDiscovery"/> (the search the ONNX Runtime GPU providers use too), and
/// routes this assembly's imports of <c>cuda</c> and <c>cublasLt</c> to them (the one
/// <see cref="NativeLibrary.SetDllImportResolver"/> of the Workloads assembly; ONNX Runtime's
/// resolver sits on its own assembly). The driver comes from the configured folder or the loader
/// path only (the toolkit's <c>libcuda</c> under CUDA_HOME is a stub that fails every call).
/// A process binds each import once, so the first folder used stays in force.
/// </summary>
public static class CudaLibraries
{
    /// <summary>The driver library's soname.</summary>
    public const string DriverSoname = "libcuda.so.1";

    /// <summary>cuBLASLt sonames, newest first (CUDA 13, then CUDA 12).</summary>
    public static IReadOnlyList<string> CublasLtSonames { get; } = [.. GpuLibraryCatalogue.CublasLtAnyVersion.Sonames];

    private static readonly Lock s_lock = new();
    private static bool s_resolverSet;
    private static string? s_directory;
    private static Func<string?, GpuSearchRoots> s_roots = directory => GpuSearchRoots.FromEnvironment(directory);
    private static LoadResult? s_driver;
    private static LoadResult? s_cublasLt;

    /// <summary>The outcome of loading one library: the path loaded, or why nothing loaded.</summary>
    public sealed record LoadResult(nint Handle, string? Loaded, string? Error)
    {
        public bool Ok => Handle != 0;
    }

    /// <summary>
    /// Uses <paramref name="directory"/> (<c>Cuda:LibraryDirectory</c>, ':'-separated) for every
    /// later search. False when another directory was already in force (a process binds the libraries once).
    /// </summary>
    public static bool Configure(string? directory)
    {
        directory = string.IsNullOrWhiteSpace(directory) ? null : directory;
        lock (s_lock)
        {
            SetResolver();
            // Bound only once a library really loaded: a failed search is tried again in the new folder.
            if (s_driver is not { Ok: true } && s_cublasLt is not { Ok: true })
            {
                if (!string.Equals(s_directory, directory, StringComparison.Ordinal))
                {
                    s_driver = null;
                    s_cublasLt = null;
                }

                s_directory = directory;
                return true;
            }

            return string.Equals(s_directory, directory, StringComparison.Ordinal);
        }
    }

    /// <summary>A discovery over the configured folder and this process's environment.</summary>
    public static GpuLibraryDiscovery Discovery()
    {
        lock (s_lock)
        {
            return new GpuLibraryDiscovery(s_roots(s_directory));
        }
    }

    /// <summary>Loads <c>libcuda.so.1</c> once; later calls return the first outcome.</summary>
    public static LoadResult LoadDriver()
    {
        lock (s_lock)
        {
            SetResolver();
            return s_driver ??= Load(GpuLibraryCatalogue.Driver);
        }
    }

    /// <summary>Loads cuBLASLt (CUDA 13's, else 12's) once; later calls return the first outcome.</summary>
    public static LoadResult LoadCublasLt()
    {
        lock (s_lock)
        {
            SetResolver();
            return s_cublasLt ??= Load(GpuLibraryCatalogue.CublasLtAnyVersion);
        }
    }

    /// <summary>Replaces how search roots are made from the configured folder (tests: no system folders).</summary>
    internal static void UseRoots(Func<string?, GpuSearchRoots> roots)
    {
        lock (s_lock)
        {
            s_roots = roots;
        }
    }

    private static LoadResult Load(GpuLibrary library)
    {
        var discovery = new GpuLibraryDiscovery(s_roots(s_directory));
        var found = discovery.Find(library);
        if (found.Path is null)
        {
            return new LoadResult(0, null, $"not found (searched {string.Join("; ", discovery.Places.Select(p => p.ToString()))})");
        }

        var loaded = GpuLibraryLoader.Preload(found);
        return loaded.Loaded
            ? new LoadResult(GpuLibraryLoader.Open(found.Path).Handle, found.Path, null)
            : new LoadResult(0, null, $"not loadable: {found.Path}: {loaded.LoadError}");
    }

    private static void SetResolver()
    {
        if (!s_resolverSet)
        {
            NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, Resolve);
            s_resolverSet = true;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        CudaDriver.Library => LoadDriver().Handle,
        CublasLt.Library => LoadCublasLt().Handle,
        _ => 0,
    };
}
