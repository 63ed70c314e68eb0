namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// The roots GPU library discovery starts from, in search order. <see cref="FromEnvironment"/>
/// reads them from the process environment and the usual Python and conda locations; tests
/// build their own.
/// </summary>
public sealed record GpuSearchRoots
{
    /// <summary>
    /// <c>Cuda:LibraryDirectory</c>, split at ':'. A folder is searched itself and, when it is a
    /// Python site-packages folder, for pip's NVIDIA wheels in it.
    /// </summary>
    public IReadOnlyList<string> ConfiguredDirectories { get; init; } = [];

    /// <summary><c>$CUDA_HOME</c>, then <c>$CUDA_PATH</c> (toolkit roots; their lib64, lib and targets/…/lib are searched).</summary>
    public IReadOnlyList<string> CudaHomes { get; init; } = [];

    /// <summary>Python site-packages folders, searched for <c>nvidia/cu13/lib</c>, <c>nvidia/cudnn/lib</c>, <c>nvidia/*/lib</c> and <c>tensorrt_libs</c>.</summary>
    public IReadOnlyList<string> SitePackages { get; init; } = [];

    /// <summary>conda environments (<c>$CONDA_PREFIX</c>): conda-forge puts the CUDA libraries in their <c>lib</c>.</summary>
    public IReadOnlyList<string> CondaPrefixes { get; init; } = [];

    /// <summary><c>LD_LIBRARY_PATH</c>, split at ':'.</summary>
    public IReadOnlyList<string> LoaderDirectories { get; init; } = [];

    /// <summary>The loader cache (<c>/etc/ld.so.cache</c>); null: not read.</summary>
    public string? LdCachePath { get; init; }

    /// <summary>The loader's built-in folders, searched last, as the loader does.</summary>
    public IReadOnlyList<string> SystemDirectories { get; init; } = [];

    /// <summary>The loader's default folders on 64-bit Linux.</summary>
    public static IReadOnlyList<string> DefaultSystemDirectories { get; } = ["/lib64", "/usr/lib64", "/lib", "/usr/lib"];

    /// <summary>
    /// Roots for this process: <paramref name="configuredDirectory"/> (':'-separated), CUDA_HOME
    /// and CUDA_PATH, the site-packages of PYTHONPATH, VIRTUAL_ENV, CONDA_PREFIX, ~/.local and
    /// the system Pythons (/usr/local/lib/python3*/dist-packages, /usr/lib/python3/dist-packages…),
    /// LD_LIBRARY_PATH, /etc/ld.so.cache and the system folders. Python folders that do not exist are left out.
    /// </summary>
    public static GpuSearchRoots FromEnvironment(string? configuredDirectory, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var sitePackages = new List<string>();
        sitePackages.AddRange(SplitPathList(environment("PYTHONPATH")));
        var condaPrefixes = SplitPathList(environment("CONDA_PREFIX")).ToList();
        foreach (var prefix in SplitPathList(environment("VIRTUAL_ENV")).Concat(condaPrefixes))
        {
            sitePackages.AddRange(PythonFolders(Path.Combine(prefix, "lib"), "site-packages"));
        }

        if (environment("HOME") is { Length: > 0 } home)
        {
            sitePackages.AddRange(PythonFolders(Path.Combine(home, ".local", "lib"), "site-packages"));
        }

        sitePackages.AddRange(PythonFolders("/usr/local/lib", "dist-packages"));
        sitePackages.AddRange(PythonFolders("/usr/local/lib", "site-packages"));
        sitePackages.Add("/usr/lib/python3/dist-packages");
        sitePackages.AddRange(PythonFolders("/usr/lib", "site-packages"));
        sitePackages.AddRange(PythonFolders("/opt/conda/lib", "site-packages"));
        if (Directory.Exists("/opt/conda/lib"))
        {
            condaPrefixes.Add("/opt/conda");
        }

        return new GpuSearchRoots
        {
            ConfiguredDirectories = SplitPathList(configuredDirectory),
            CudaHomes = [.. SplitPathList(environment("CUDA_HOME")).Concat(SplitPathList(environment("CUDA_PATH"))).Distinct(StringComparer.Ordinal)],
            SitePackages = [.. sitePackages.Where(Directory.Exists).Distinct(StringComparer.Ordinal)],
            CondaPrefixes = [.. condaPrefixes.Distinct(StringComparer.Ordinal)],
            LoaderDirectories = SplitPathList(environment("LD_LIBRARY_PATH")),
            LdCachePath = LdCache.DefaultPath,
            SystemDirectories = DefaultSystemDirectories,
        };
    }

    /// <summary>A ':'-separated list of absolute folders, empty entries and relative ones dropped (the loader reads an empty LD_LIBRARY_PATH entry as the working directory; discovery does not).</summary>
    public static IReadOnlyList<string> SplitPathList(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : [.. value.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(Path.IsPathRooted)];

    /// <summary><c>{lib}/python3*/{leaf}</c> that exist, newest Python first.</summary>
    private static List<string> PythonFolders(string lib, string leaf)
    {
        try
        {
            return Directory.Exists(lib)
                ? Directory.EnumerateDirectories(lib, "python3*")
                    .Select(d => Path.Combine(d, leaf))
                    .Where(Directory.Exists)
                    .OrderByDescending(d => PythonMinor(d))
                    .ToList()
                : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static int PythonMinor(string sitePackages)
    {
        var name = Path.GetFileName(Path.GetDirectoryName(sitePackages)) ?? string.Empty;
        return name.Length > "python3.".Length && int.TryParse(name.AsSpan("python3.".Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minor) ? minor : -1;
    }
}
