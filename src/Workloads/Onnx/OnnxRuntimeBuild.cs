using System.Reflection;
using System.Runtime.InteropServices;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// Which ONNX Runtime package this build ships (the <c>OnnxRuntimeFlavor</c> MSBuild property)
/// and where its native libraries are: the provider libraries sit beside
/// <c>libonnxruntime.so</c>, where ONNX Runtime looks for them.
/// </summary>
public static class OnnxRuntimeBuild
{
    /// <summary>The GPU package (<c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c>): CUDA and TensorRT providers beside the CPU one.</summary>
    public const string GpuFlavor = "Gpu";

    /// <summary>The CPU package (<c>Microsoft.ML.OnnxRuntime</c>), built with <c>-p:OnnxRuntimeFlavor=Cpu</c>.</summary>
    public const string CpuFlavor = "Cpu";

    /// <summary>The native library's file name.</summary>
    public const string LibraryFileName = "libonnxruntime.so";

    /// <summary><see cref="GpuFlavor"/> or <see cref="CpuFlavor"/>, as built.</summary>
    public static string Flavor { get; } =
        typeof(OnnxRuntimeBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "OnnxRuntimeFlavor")?.Value ?? GpuFlavor;

    /// <summary>The version of the ONNX Runtime package this build bundles (the bundled native library's version).</summary>
    public static string PackageVersion { get; } =
        typeof(OnnxRuntimeBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "OnnxRuntimePackageVersion")?.Value ?? OnnxRuntimeInfo.Unavailable;

    /// <summary>
    /// The native library this process will load, without loading it: <paramref name="configuredPath"/>
    /// (<c>OnnxRuntime:LibraryPath</c>) when set, else the bundled one (<c>runtimes/linux-x64/native</c>
    /// of a build, the application folder of a self-contained publish). Null when none is there.
    /// </summary>
    public static string? ExpectedLibraryPath(string? configuredPath)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return configuredPath;
        }

        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        return new[]
            {
                Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", LibraryFileName),
                Path.Combine(AppContext.BaseDirectory, LibraryFileName),
            }
            .FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The provider library of <paramref name="ortProvider"/> beside <paramref name="libraryPath"/>
    /// (<c>libonnxruntime_providers_cuda.so</c>), or null for a provider built into the main library.
    /// </summary>
    public static string? ProviderLibraryPath(string libraryPath, string ortProvider)
    {
        ArgumentNullException.ThrowIfNull(libraryPath);
        var file = ortProvider switch
        {
            "CUDAExecutionProvider" => "libonnxruntime_providers_cuda.so",
            "TensorrtExecutionProvider" => "libonnxruntime_providers_tensorrt.so",
            "OpenVINOExecutionProvider" => "libonnxruntime_providers_openvino.so",
            _ => null,
        };
        return file is null ? null : Path.Combine(Path.GetDirectoryName(libraryPath) ?? ".", file);
    }
}
