using System.Reflection;
using System.Runtime.InteropServices;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// Finds and loads the CUDA driver and cuBLASLt, and routes this assembly's imports of
/// <c>cuda</c> and <c>cublasLt</c> to them (the one <see cref="NativeLibrary.SetDllImportResolver"/>
/// of the Workloads assembly; ONNX Runtime's resolver sits on its own assembly). Search order:
/// the configured directory, then <c>$CUDA_HOME/lib64</c> (cuBLASLt only: the toolkit's
/// <c>libcuda</c> there is a stub that fails every call), then the system library path by soname.
/// A process binds each import once, so the first directory used stays in force.
/// </summary>
public static class CudaLibraries
{
    /// <summary>The driver library's soname.</summary>
    public const string DriverSoname = "libcuda.so.1";

    /// <summary>cuBLASLt sonames, newest first (CUDA 13, then CUDA 12).</summary>
    public static IReadOnlyList<string> CublasLtSonames { get; } = ["libcublasLt.so.13", "libcublasLt.so.12"];

    private static readonly Lock s_lock = new();
    private static bool s_resolverSet;
    private static string? s_directory;
    private static LoadResult? s_driver;
    private static LoadResult? s_cublasLt;

    /// <summary>The outcome of loading one library: the path or soname loaded, or why nothing loaded.</summary>
    public sealed record LoadResult(nint Handle, string? Loaded, string? Error)
    {
        public bool Ok => Handle != 0;
    }

    /// <summary>Where the driver library is looked for, in order.</summary>
    public static IReadOnlyList<string> DriverCandidates(string? directory)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(directory))
        {
            candidates.Add(Path.Combine(directory, DriverSoname));
        }

        candidates.Add(DriverSoname);
        return candidates;
    }

    /// <summary>Where cuBLASLt is looked for, in order: each directory with every soname, then the sonames alone.</summary>
    public static IReadOnlyList<string> CublasLtCandidates(string? directory, string? cudaHome)
    {
        var candidates = new List<string>();
        foreach (var folder in new[] { directory, string.IsNullOrWhiteSpace(cudaHome) ? null : Path.Combine(cudaHome, "lib64") })
        {
            if (!string.IsNullOrWhiteSpace(folder))
            {
                candidates.AddRange(CublasLtSonames.Select(s => Path.Combine(folder, s)));
            }
        }

        candidates.AddRange(CublasLtSonames);
        return candidates;
    }

    /// <summary>
    /// Uses <paramref name="directory"/> for every later load. False when another directory was
    /// already in force (a process binds the libraries once).
    /// </summary>
    public static bool Configure(string? directory)
    {
        directory = string.IsNullOrWhiteSpace(directory) ? null : directory;
        lock (s_lock)
        {
            SetResolver();
            if (s_driver is null && s_cublasLt is null)
            {
                s_directory = directory;
                return true;
            }

            return string.Equals(s_directory, directory, StringComparison.Ordinal);
        }
    }

    /// <summary>Loads <c>libcuda.so.1</c> once; later calls return the first outcome.</summary>
    public static LoadResult LoadDriver()
    {
        lock (s_lock)
        {
            SetResolver();
            return s_driver ??= Load(DriverCandidates(s_directory));
        }
    }

    /// <summary>Loads cuBLASLt once; later calls return the first outcome.</summary>
    public static LoadResult LoadCublasLt()
    {
        lock (s_lock)
        {
            SetResolver();
            return s_cublasLt ??= Load(CublasLtCandidates(s_directory, Environment.GetEnvironmentVariable("CUDA_HOME")));
        }
    }

    private static LoadResult Load(IReadOnlyList<string> candidates)
    {
        var problems = new List<string>();
        foreach (var candidate in candidates)
        {
            // A path that is not there is skipped quietly; a file that is there but fails to load is worth reporting.
            if (Path.IsPathRooted(candidate) && !File.Exists(candidate))
            {
                continue;
            }

            try
            {
                return new LoadResult(NativeLibrary.Load(candidate), candidate, null);
            }
            catch (DllNotFoundException ex)
            {
                problems.Add(Path.IsPathRooted(candidate) ? $"{candidate}: {FirstLine(ex.Message)}" : candidate + ": not found on the library path");
            }
            catch (BadImageFormatException ex)
            {
                problems.Add($"{candidate}: {FirstLine(ex.Message)}");
            }
        }

        return new LoadResult(0, null, $"not found (tried {string.Join("; ", problems.Count > 0 ? problems : candidates)})");
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

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
