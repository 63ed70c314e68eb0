using System.Diagnostics;

namespace BenchDaemon.Workloads.Tests.Onnx;

/// <summary>
/// The fake CUDA 13 / cuDNN 9 / TensorRT 10 libraries (Onnx/Fakes/fake_cuda_stack.c) compiled
/// with <c>cc</c> into a folder per test: each library with its real soname and, where ONNX
/// Runtime's provider asks for versioned symbols, the version node (<c>cudaMalloc@libcudart.so.13</c>).
/// </summary>
internal static class FakeCudaStack
{
    /// <summary>(define, soname, symbol version node or null), leaves first.</summary>
    private static readonly (string Define, string Soname, string? Version)[] s_libraries =
    [
        ("FAKE_DRIVER", "libcuda.so.1", null),
        ("FAKE_CUDART", "libcudart.so.13", "libcudart.so.13"),
        ("FAKE_CUBLASLT", "libcublasLt.so.13", "libcublasLt.so.13"),
        ("FAKE_CUBLAS", "libcublas.so.13", "libcublas.so.13"),
        ("FAKE_CURAND", "libcurand.so.10", null),
        ("FAKE_CUDNN", "libcudnn.so.9", "libcudnn.so.9"),
        ("FAKE_NVINFER", "libnvinfer.so.10", null),
        ("FAKE_NVONNXPARSER", "libnvonnxparser.so.10", null),
    ];

    private static readonly Lazy<string> s_built = new(() => Build(Directory.CreateTempSubdirectory("benchdaemon-fakecudastack-").FullName));

    /// <summary>Every soname the fake stack provides.</summary>
    public static IEnumerable<string> Sonames => s_libraries.Select(l => l.Soname);

    /// <summary>A new folder holding the fake stack, less <paramref name="without"/>.</summary>
    public static string CopyTo(string directory, params string[] without)
    {
        Directory.CreateDirectory(directory);
        foreach (var soname in Sonames.Except(without, StringComparer.Ordinal))
        {
            File.Copy(Path.Combine(s_built.Value, soname), Path.Combine(directory, soname), overwrite: true);
        }

        return directory;
    }

    private static string Build(string directory)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Onnx", "Fakes", "fake_cuda_stack.c");
        foreach (var (define, soname, version) in s_libraries)
        {
            var args = new List<string> { "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-D" + define, "-Wl,-soname," + soname, "-o", soname, source };
            if (version is not null)
            {
                var map = Path.Combine(directory, soname + ".map");
                File.WriteAllText(map, version + " { global: *; };\n");
                args.Add("-Wl,--version-script=" + map);
            }

            Compile(directory, args);
        }

        return directory;
    }

    private static void Compile(string directory, List<string> args) => BenchDaemon.TestSupport.CCompiler.Run(directory, args);
}
