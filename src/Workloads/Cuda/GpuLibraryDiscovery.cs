namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// Finds the CUDA, cuDNN and TensorRT libraries without loading them, the way Python's
/// <c>onnxruntime.preload_dlls()</c> and PyTorch do, in this order: the configured folder(s),
/// <c>CUDA_HOME</c>/<c>CUDA_PATH</c>, pip's NVIDIA wheels and conda environments, then the
/// loader path (<c>LD_LIBRARY_PATH</c>, <c>/etc/ld.so.cache</c>, the system folders). The first
/// place holding a library wins. <see cref="GpuLibraryLoader"/> then opens what was found,
/// leaves first, so ONNX Runtime's own <c>dlopen</c> of its provider finds everything loaded.
/// One search for the ONNX Runtime providers and the CUDA micro-canaries.
/// </summary>
public sealed class GpuLibraryDiscovery
{
    private readonly GpuSearchRoots _roots;
    private readonly Lazy<IReadOnlyList<GpuSearchPlace>> _places;
    private readonly Lazy<IReadOnlyDictionary<string, string>> _ldCache;

    /// <summary>Searches from <paramref name="roots"/>.</summary>
    public GpuLibraryDiscovery(GpuSearchRoots roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        _roots = roots;
        _places = new(BuildPlaces);
        _ldCache = new(() => roots.LdCachePath is null ? new Dictionary<string, string>() : LdCache.Read(roots.LdCachePath));
    }

    /// <summary>Every place searched, in order (folders that do not exist are left out, the loader cache is always listed).</summary>
    public IReadOnlyList<GpuSearchPlace> Places => _places.Value;

    /// <summary>Looks for each of <paramref name="libraries"/>; nothing is loaded.</summary>
    public GpuLibraryReport Find(IEnumerable<GpuLibrary> libraries)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        return new GpuLibraryReport { Libraries = [.. libraries.Select(Find)], Searched = Places };
    }

    /// <summary>Looks for <paramref name="library"/>; nothing is loaded.</summary>
    public GpuLibraryStatus Find(GpuLibrary library)
    {
        ArgumentNullException.ThrowIfNull(library);
        var status = new GpuLibraryStatus { Soname = library.Soname, Description = library.Description, Required = library.Required };

        // Each soname in every place before the next soname: CUDA 13's cuBLASLt anywhere beats CUDA 12's.
        foreach (var soname in library.Sonames)
        {
            foreach (var place in Places)
            {
                if (library.DriverOnly && place.Source is not (GpuLibrarySource.Configured or GpuLibrarySource.LoaderPath))
                {
                    continue;
                }

                if (Locate(place, soname, library.VersionSuffix) is { } path)
                {
                    return status with { Path = path, Source = place.Source, SizeBytes = SizeOf(path) };
                }
            }
        }

        return status;
    }

    private string? Locate(GpuSearchPlace place, string soname, bool versionSuffix)
    {
        if (string.Equals(place.Location, _roots.LdCachePath, StringComparison.Ordinal) && place.Source == GpuLibrarySource.LoaderPath)
        {
            if (_ldCache.Value.TryGetValue(soname, out var cached) && File.Exists(cached))
            {
                return cached;
            }

            return versionSuffix
                ? _ldCache.Value.Where(e => e.Key.StartsWith(soname + ".", StringComparison.Ordinal) && File.Exists(e.Value)).OrderByDescending(e => e.Key, StringComparer.Ordinal).Select(e => e.Value).FirstOrDefault()
                : null;
        }

        var candidate = Path.Combine(place.Location, soname);
        if (File.Exists(candidate))
        {
            return candidate;
        }

        if (!versionSuffix)
        {
            return null;
        }

        try
        {
            return Directory.EnumerateFiles(place.Location, soname + ".*").Order(StringComparer.Ordinal).LastOrDefault();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? SizeOf(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private List<GpuSearchPlace> BuildPlaces()
    {
        var places = new List<GpuSearchPlace>();
        foreach (var directory in _roots.ConfiguredDirectories)
        {
            places.Add(new(GpuLibrarySource.Configured, directory));

            // A configured site-packages folder (a venv's) is searched like one found by itself.
            places.AddRange(WheelFolders(directory).Select(d => new GpuSearchPlace(GpuLibrarySource.Configured, d)));
        }

        foreach (var home in _roots.CudaHomes)
        {
            foreach (var lib in new[] { "lib64", "lib", Path.Combine("targets", TargetTriple(), "lib") })
            {
                places.Add(new(GpuLibrarySource.CudaHome, Path.Combine(home, lib)));
            }
        }

        foreach (var sitePackages in _roots.SitePackages)
        {
            places.AddRange(WheelFolders(sitePackages).Select(d => new GpuSearchPlace(GpuLibrarySource.PythonPackages, d)));
        }

        places.AddRange(_roots.CondaPrefixes.Select(p => new GpuSearchPlace(GpuLibrarySource.PythonPackages, Path.Combine(p, "lib"))));
        places.AddRange(_roots.LoaderDirectories.Select(d => new GpuSearchPlace(GpuLibrarySource.LoaderPath, d)));
        if (_roots.LdCachePath is not null)
        {
            places.Add(new(GpuLibrarySource.LoaderPath, _roots.LdCachePath));
        }

        places.AddRange(_roots.SystemDirectories.Select(d => new GpuSearchPlace(GpuLibrarySource.LoaderPath, d)));

        // A folder named twice is searched once, where it first appears; folders that do not
        // exist are not worth naming in a "searched:" list (configured ones are: a typo shows).
        return [.. places
            .Where(p => p.Source == GpuLibrarySource.Configured || string.Equals(p.Location, _roots.LdCachePath, StringComparison.Ordinal) || Directory.Exists(p.Location))
            .DistinctBy(p => p.Location, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The library folders of pip's NVIDIA wheels under a site-packages folder: CUDA 13's
    /// consolidated <c>nvidia/cu13/lib</c> first, then <c>nvidia/cudnn/lib</c>, the other
    /// <c>nvidia/*/lib</c> (CUDA 12's per-library wheels), and TensorRT's <c>tensorrt_libs</c>.
    /// </summary>
    internal static IEnumerable<string> WheelFolders(string sitePackages)
    {
        var nvidia = Path.Combine(sitePackages, "nvidia");
        var folders = new List<string> { Path.Combine(nvidia, "cu13", "lib"), Path.Combine(nvidia, "cudnn", "lib") };
        try
        {
            if (Directory.Exists(nvidia))
            {
                folders.AddRange(Directory.EnumerateDirectories(nvidia).Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "lib")));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        folders.Add(Path.Combine(sitePackages, "tensorrt_libs"));
        return folders.Where(Directory.Exists).Distinct(StringComparer.Ordinal);
    }

    private static string TargetTriple() => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "sbsa-linux" : "x86_64-linux";
}
