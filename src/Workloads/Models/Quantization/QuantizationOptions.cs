using System.ComponentModel.DataAnnotations;
using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>
/// Settings of <see cref="QdqQuantizer"/>. The defaults are those of onnxruntime.quantization's
/// <c>quantize_static</c> in QDQ format for x86 CPUs: uint8 asymmetric activations with int8
/// symmetric, per-channel weights ("U8S8", the combination ONNX Runtime's CPU kernels run
/// fastest), MinMax calibration, and Conv, MatMul and Gemm quantized
/// (<see href="https://onnxruntime.ai/docs/performance/model-optimizations/quantization.html"/>);
/// except <see cref="ReduceRange"/>, which is on.
/// </summary>
public sealed record QuantizationOptions : IValidatableObject
{
    /// <summary>Default number of calibration batches.</summary>
    public const int DefaultCalibrationBatches = 8;

    /// <summary>Default percentile of <see cref="CalibrationMethod.Percentile"/>, as onnxruntime.quantization's.</summary>
    public const double DefaultPercentile = 99.999;

    /// <summary>Most calibration batches accepted; each is a full inference of the model.</summary>
    public const int MaxCalibrationBatches = 10_000;

    /// <summary>Largest calibration batch size accepted.</summary>
    public const int MaxBatchSize = 4096;

    /// <summary>The operator types that can be quantized, and the default set.</summary>
    public static readonly IReadOnlyList<string> SupportedOpTypes = ["Conv", "MatMul", "Gemm"];

    /// <summary>Inference runs over generated inputs whose activation ranges set the quantization steps.</summary>
    [Range(1, MaxCalibrationBatches)]
    public int CalibrationBatches { get; init; } = DefaultCalibrationBatches;

    /// <summary>Batch size (the first, symbolic, input dimension) of every calibration run.</summary>
    [Range(1, MaxBatchSize)]
    public int BatchSize { get; init; } = 1;

    /// <summary>
    /// Sizes of the model's other symbolic input dimensions, for example <c>sequence</c> → 128;
    /// <c>vocab</c> bounds generated token ids. Same meaning as a canary's <c>Inputs</c>
    /// (see <see cref="Canaries.InputGenerator"/>).
    /// </summary>
    public IReadOnlyDictionary<string, long> Dimensions { get; init; } = new Dictionary<string, long>();

    /// <summary>Seed of the generated calibration inputs; batch <c>i</c> uses <c>Seed + i</c>.</summary>
    public int Seed { get; init; }

    /// <summary>Operator types to quantize: a non-empty subset of <see cref="SupportedOpTypes"/>.</summary>
    public IReadOnlyList<string> OpTypes { get; init; } = SupportedOpTypes;

    /// <summary>
    /// One scale per output channel of every weight (axis 0 of a Conv weight, the N axis of a
    /// MatMul or Gemm weight) rather than one per tensor: channels with small weights keep their
    /// resolution, at no cost in ONNX Runtime's CPU kernels.
    /// </summary>
    public bool PerChannel { get; init; } = true;

    /// <summary>
    /// Activation element type, asymmetric: <see cref="OnnxElementType.UInt8"/> (the default, the
    /// fast path on x86) or <see cref="OnnxElementType.Int8"/> (for CPUs whose ONNX Runtime build
    /// fuses signed activations, such as Arm; on x86 the QDQ groups of an int8 model are not fused
    /// and it runs slower than FP32).
    /// </summary>
    public OnnxElementType ActivationType { get; init; } = OnnxElementType.UInt8;

    /// <summary>
    /// Weight element type, symmetric (the zero point is the middle of the range):
    /// <see cref="OnnxElementType.Int8"/> (the default, range ±127, zero point 0) or
    /// <see cref="OnnxElementType.UInt8"/> (zero point 128).
    /// </summary>
    public OnnxElementType WeightType { get; init; } = OnnxElementType.Int8;

    /// <summary>
    /// Quantize weights to 7 bits (±64 rather than ±127). On by default, unlike onnxruntime.quantization:
    /// on x86 CPUs without VNNI (AVX2, AVX-512 before Cascade Lake) ONNX Runtime's u8 × s8 kernels
    /// multiply with VPMADDUBSW, which saturates the sum of two adjacent products at 16 bits, and
    /// with 8-bit weights that happens often enough to wreck the result (measured on an AVX2 EPYC:
    /// cosine similarity to FP32 0.974 for <see cref="TinyModels.Mlp"/>, 0.9998 with 7 bits). With
    /// 7-bit weights the sum cannot overflow; the kernels and their speed are the same, and on a
    /// VNNI CPU the cost is one bit of weight resolution
    /// (<see href="https://onnxruntime.ai/docs/performance/model-optimizations/quantization.html#when-and-why-do-i-need-to-try-u8u8"/>).
    /// </summary>
    public bool ReduceRange { get; init; } = true;

    /// <summary>How activation ranges are derived from the calibration runs.</summary>
    [EnumDataType(typeof(CalibrationMethod))]
    public CalibrationMethod CalibrationMethod { get; init; } = CalibrationMethod.MinMax;

    /// <summary>Share of values, in per cent, kept inside the range by <see cref="CalibrationMethod.Percentile"/>.</summary>
    [Range(50.0, 100.0)]
    public double Percentile { get; init; } = DefaultPercentile;

    /// <summary>
    /// First apply ONNX Runtime's basic, hardware-independent graph optimizations (BatchNormalization
    /// folded into the Conv before it, MatMul + Add fused into Gemm, constants folded), as
    /// onnxruntime.quantization's <c>quant_pre_process</c> does. Without it a BatchNormalization
    /// after a quantized Conv stays a separate float node that ONNX Runtime can no longer fold,
    /// and ONNX Runtime turns a quantized MatMul and its bias Add into a Gemm with a float bias,
    /// which it then cannot fuse into QGemm.
    /// </summary>
    public bool Preprocess { get; init; } = true;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ActivationType is not (OnnxElementType.UInt8 or OnnxElementType.Int8))
        {
            yield return new ValidationResult($"ActivationType must be UInt8 or Int8, not {ActivationType}", [nameof(ActivationType)]);
        }

        if (WeightType is not (OnnxElementType.UInt8 or OnnxElementType.Int8))
        {
            yield return new ValidationResult($"WeightType must be Int8 or UInt8, not {WeightType}", [nameof(WeightType)]);
        }

        if (OpTypes is null || OpTypes.Count == 0)
        {
            yield return new ValidationResult("OpTypes must name at least one operator type", [nameof(OpTypes)]);
        }
        else
        {
            foreach (var opType in OpTypes)
            {
                if (!SupportedOpTypes.Contains(opType, StringComparer.Ordinal))
                {
                    yield return new ValidationResult(
                        $"OpTypes contains '{opType}'; supported: {string.Join(", ", SupportedOpTypes)}",
                        [nameof(OpTypes)]);
                }
            }
        }

        if (Dimensions is null)
        {
            yield return new ValidationResult("Dimensions must not be null", [nameof(Dimensions)]);
        }
        else
        {
            foreach (var (name, size) in Dimensions)
            {
                if (size < 1)
                {
                    yield return new ValidationResult($"Dimensions:{name} is {size}; a size must be at least 1", [nameof(Dimensions)]);
                }
            }
        }
    }
}
