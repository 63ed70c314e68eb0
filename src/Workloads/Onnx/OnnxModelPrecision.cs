using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// The precision a model file is, read from its graph without loading it (in the same pass as
/// its inputs, <see cref="OnnxModelInputs.ReadWithPrecision"/>): quantization operators (QDQ
/// pairs, QLinear*, integer MatMul and Conv, ONNX Runtime's quantized contrib operators) make it
/// INT8; float16 weights or graph inputs and outputs make it FP16; anything else is FP32.
/// </summary>
public static class OnnxModelPrecision
{
    // TensorProto.DataType FLOAT16 (onnx.proto).
    private const long Float16 = 10;

    private static readonly HashSet<string> s_integerOperators = new(StringComparer.Ordinal)
    {
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "MatMulInteger", "ConvInteger",
        "QGemm", "QAttention", "QEmbedLayerNormalization", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "DynamicQuantizeLSTM",
    };

    /// <summary>The precision of the model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Precision Read(string path) => OnnxModelInputs.ReadWithPrecision(path).Precision;

    /// <summary><see cref="Read"/>, or null where the file is missing or not a model (the run reports that, with its reason).</summary>
    public static Precision? TryRead(string path) => TryReadGraph(path)?.Precision;

    /// <summary>
    /// <see cref="OnnxModelInputs.ReadWithPrecision"/>, or null where the file is missing or not a
    /// model: the configuration check leaves such a file to the run, which fails with its reason.
    /// </summary>
    public static (IReadOnlyList<ModelInput> Inputs, Precision Precision)? TryReadGraph(string path)
    {
        try
        {
            return OnnxModelInputs.ReadWithPrecision(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }

    internal static bool IsIntegerOperator(string opType) => s_integerOperators.Contains(opType) || opType.StartsWith("QLinear", StringComparison.Ordinal);

    internal static bool IsHalf(ValueInfoProto value) => value.Type?.TensorType?.ElemType == Float16;

    internal static bool IsHalf(long dataType) => dataType == Float16;
}
