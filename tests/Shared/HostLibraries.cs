using System.Diagnostics;

namespace BenchDaemon.TestSupport;

/// <summary>
/// What the host's dynamic loader would find by itself, for tests that need a host without a
/// library (no NVIDIA driver, no CUDA 13) and must be skipped, not failed, on one that has it.
/// </summary>
internal static class HostLibraries
{
    // The loader's cache as `ldconfig -p` prints it, read once per test run.
    private static readonly Lazy<string> s_loaderCache = new(() =>
    {
        foreach (var ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" }.Where(File.Exists))
        {
            var info = new ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(info)!;
            var cache = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return cache;
        }

        return string.Empty;
    });

    /// <summary>
    /// Whether the dynamic loader would find <paramref name="soname"/> by itself (its cache or
    /// LD_LIBRARY_PATH). Not by dlopen: the test process may hold a fake under that soname.
    /// </summary>
    public static bool Has(string soname)
    {
        var folders = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries);
        if (folders.Any(f => File.Exists(Path.Combine(f, soname))))
        {
            return true;
        }

        return s_loaderCache.Value.Split('\n').Any(line => line.TrimStart().StartsWith(soname + " ", StringComparison.Ordinal));
    }

    /// <summary>Whether this host has the CUDA 13 stack the GPU package's CUDA provider loads (driver and runtime).</summary>
    public static bool HasCuda13 => Has("libcuda.so.1") && Has("libcudart.so.13");
}
