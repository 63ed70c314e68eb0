namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// The libraries each GPU workload needs, leaves first (the order they are preloaded in).
/// Sonames are those ONNX Runtime 1.32.0's GPU package asks for (<c>readelf -d</c> and the
/// names its CUDA provider <c>dlopen</c>s; docs/canaries.md): CUDA 13, cuDNN 9, TensorRT 10.
/// </summary>
public static class GpuLibraryCatalogue
{
    /// <summary>The NVIDIA driver's user-space library.</summary>
    public static GpuLibrary Driver { get; } = new("libcuda.so.1", "NVIDIA driver") { DriverOnly = true };

    /// <summary>cuBLASLt for the micro-canaries: CUDA 13's, else CUDA 12's.</summary>
    public static GpuLibrary CublasLtAnyVersion { get; } = new("libcublasLt.so.13", "cuBLASLt") { Alternatives = ["libcublasLt.so.12"] };

    /// <summary>What the CUDA provider (<c>libonnxruntime_providers_cuda.so</c>) needs, driver included.</summary>
    public static IReadOnlyList<GpuLibrary> CudaProvider { get; } =
    [
        Driver,
        new("libcudart.so.13", "CUDA 13 runtime"),
        new("libcublasLt.so.13", "cuBLASLt 13"),
        new("libcublas.so.13", "cuBLAS 13"),
        new("libcurand.so.10", "cuRAND"),

        // dlopen'ed by the provider for the FFT operators (Rfft/Irfft) only: CUDA 13 ships cuFFT 12.
        new("libcufft.so.12", "cuFFT (FFT operators only)", Required: false),

        // cuDNN's runtime-compiled engines compile with NVRTC; ONNX Runtime's preload_dlls loads it too.
        new("libnvrtc.so.13", "NVRTC (cuDNN runtime-compiled engines)", Required: false),

        // libcudnn.so.9 dlopens its sub-libraries by soname; preloaded from the same place, they are
        // found even where that folder is not on the loader path. Graph first: the others need it.
        new("libcudnn_graph.so.9", "cuDNN graph", Required: false),
        new("libcudnn_engines_precompiled.so.9", "cuDNN precompiled engines", Required: false),
        new("libcudnn_engines_runtime_compiled.so.9", "cuDNN runtime-compiled engines", Required: false),
        new("libcudnn_heuristic.so.9", "cuDNN heuristics", Required: false),
        new("libcudnn_ops.so.9", "cuDNN ops", Required: false),
        new("libcudnn_cnn.so.9", "cuDNN CNN", Required: false),
        new("libcudnn_adv.so.9", "cuDNN adv", Required: false),
        new("libcudnn.so.9", "cuDNN 9"),
    ];

    /// <summary>What the TensorRT provider needs: the CUDA provider's libraries (it runs behind TensorRT) and TensorRT 10.</summary>
    public static IReadOnlyList<GpuLibrary> TensorRtProvider { get; } =
    [
        .. CudaProvider,
        new("libnvinfer.so.10", "TensorRT 10"),

        // Opened by libnvinfer by its full versioned name when it builds an engine.
        new("libnvinfer_builder_resource.so.10", "TensorRT builder resources", Required: false) { VersionSuffix = true },
        new("libnvinfer_plugin.so.10", "TensorRT plugins", Required: false),
        new("libnvonnxparser.so.10", "TensorRT ONNX parser"),
    ];

    /// <summary>Every library any workload looks for, each once, leaves first (what <c>probe</c> shows).</summary>
    public static IReadOnlyList<GpuLibrary> All { get; } = [.. TensorRtProvider, new("libcublasLt.so.12", "cuBLASLt 12 (micro-canaries, when CUDA 13's is absent)", Required: false)];

    /// <summary>The libraries <paramref name="ortProvider"/> (<c>CUDAExecutionProvider</c>, <c>TensorrtExecutionProvider</c>) needs; empty for others.</summary>
    public static IReadOnlyList<GpuLibrary> For(string ortProvider) => ortProvider switch
    {
        "CUDAExecutionProvider" => CudaProvider,
        "TensorrtExecutionProvider" => TensorRtProvider,
        _ => [],
    };
}
