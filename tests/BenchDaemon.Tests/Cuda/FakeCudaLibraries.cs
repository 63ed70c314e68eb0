using System.Diagnostics;

namespace BenchDaemon.Tests.Cuda;

/// <summary>
/// The fake CUDA driver and cuBLASLt (Cuda/Fakes/*.c) compiled with <c>cc</c> once per test
/// run into directories a child <c>benchdaemon</c> is pointed at with <c>Cuda:LibraryDirectory</c>:
/// one with both libraries, one with the driver only, one empty.
/// </summary>
public static class FakeCudaLibraries
{
    private static readonly Lazy<(string Full, string DriverOnly, string Empty)> s_built = new(Build);

    /// <summary>libcuda.so.1 and libcublasLt.so.13.</summary>
    public static string Full => s_built.Value.Full;

    /// <summary>libcuda.so.1 alone.</summary>
    public static string DriverOnly => s_built.Value.DriverOnly;

    /// <summary>No library at all.</summary>
    public static string Empty => s_built.Value.Empty;

    private static (string, string, string) Build()
    {
        var root = Directory.CreateTempSubdirectory("benchdaemon-fakecuda-").FullName;
        var sources = Path.Combine(AppContext.BaseDirectory, "Cuda", "Fakes");
        var full = Directory.CreateDirectory(Path.Combine(root, "full")).FullName;
        var driverOnly = Directory.CreateDirectory(Path.Combine(root, "driver-only")).FullName;
        var empty = Directory.CreateDirectory(Path.Combine(root, "empty")).FullName;
        foreach (var directory in new[] { full, driverOnly })
        {
            Compile(directory, "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-Wl,-soname,libcuda.so.1", "-o", "libcuda.so.1", Path.Combine(sources, "fake_cuda.c"));
        }

        // cuBLASLt links the fake driver, found next to it, for the shared virtual GPU clock.
        Compile(full, "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-o", "libcublasLt.so.13", Path.Combine(sources, "fake_cublaslt.c"),
            "-L.", "-l:libcuda.so.1", "-Wl,-rpath,$ORIGIN");
        return (full, driverOnly, empty);
    }

    private static void Compile(string directory, params string[] args) => BenchDaemon.TestSupport.CCompiler.Run(directory, args);
}
