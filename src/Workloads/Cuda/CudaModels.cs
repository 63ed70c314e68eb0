using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>The CUDA micro-canary model names, their size ranges and defaults.</summary>
public static class CudaModels
{
    /// <summary>Prefix of every CUDA micro-canary model.</summary>
    public const string Prefix = ModelRef.CudaPrefix;

    /// <summary>Square matrix multiply through cuBLASLt: n×n times n×n, 2·n³ operations per call.</summary>
    public const string Gemm = "cuda:gemm";

    /// <summary>Device-to-device copy of a buffer; counts the bytes read plus the bytes written.</summary>
    public const string Memcpy = "cuda:memcpy";

    /// <summary>Host-to-device and device-to-host copies of a pinned host buffer, one bandwidth per direction.</summary>
    public const string Pcie = "cuda:pcie";

    /// <summary>Every CUDA micro-canary model.</summary>
    public static IReadOnlyList<string> All { get; } = [Gemm, Memcpy, Pcie];

    /// <summary>Smallest and largest matrix order of <c>cuda:gemm</c>; the order must be a multiple of <see cref="GemmSizeMultiple"/>.</summary>
    public const int MinGemmSize = 256;

    /// <inheritdoc cref="MinGemmSize"/>
    public const int MaxGemmSize = 65536;

    /// <summary>cuBLASLt's INT8 and FP8 kernels want leading dimensions that are multiples of 16.</summary>
    public const int GemmSizeMultiple = 16;

    /// <summary>Smallest and largest buffer of <c>cuda:memcpy</c> and <c>cuda:pcie</c>, MiB.</summary>
    public const int MinCopyMebibytes = 1;

    /// <inheritdoc cref="MinCopyMebibytes"/>
    public const int MaxCopyMebibytes = 65536;

    /// <summary>Precisions of <c>cuda:gemm</c>.</summary>
    public static IReadOnlyList<Precision> GemmPrecisions { get; } = [Precision.FP32, Precision.TF32, Precision.FP16, Precision.BF16, Precision.INT8, Precision.FP8];

    /// <summary>Precisions an ONNX canary accepts.</summary>
    public static IReadOnlyList<Precision> OnnxPrecisions { get; } = [Precision.FP32, Precision.FP16, Precision.INT8];

    /// <summary>True when <paramref name="model"/> names a CUDA micro-canary (known or not).</summary>
    public static bool IsCuda(string? model) => model is not null && ModelRef.Parse(model).Kind == ModelKind.Cuda;

    /// <summary>The size used when <c>Size</c> is not given.</summary>
    public static int DefaultSize(string model) => model switch
    {
        Gemm => 8192,
        Memcpy => 1024,
        _ => 256,
    };
}
