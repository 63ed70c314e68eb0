namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Numeric precision of a canary's model, engine or GEMM. ONNX canaries accept FP32, FP16 and
/// INT8; TF32, BF16 and FP8 exist only for the <c>cuda:gemm</c> micro-canary.
/// </summary>
public enum Precision
{
    /// <summary>32-bit float, the reference.</summary>
    FP32,

    /// <summary>16-bit float.</summary>
    FP16,

    /// <summary>8-bit integer (quantized; a GEMM accumulates in 32-bit integers).</summary>
#pragma warning disable CA1720 // The name users write in configuration and see in labels.
    INT8,
#pragma warning restore CA1720

    /// <summary>FP32 storage with TensorFloat-32 tensor-core arithmetic (<c>cuda:gemm</c> only).</summary>
    TF32,

    /// <summary>bfloat16 (<c>cuda:gemm</c> only).</summary>
    BF16,

    /// <summary>8-bit float E4M3 inputs, BF16 output, FP32 accumulation (<c>cuda:gemm</c> only, compute capability 8.9 and later).</summary>
    FP8,
}
