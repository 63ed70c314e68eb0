using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// The precision a model file is, read from its graph without loading it (the protobuf is
/// walked as <see cref="OnnxModelInputs"/> does, weights skipped with a seek): quantization
/// operators (QDQ pairs, QLinear*, integer MatMul and Conv, ONNX Runtime's quantized contrib
/// operators) make it INT8; float16 weights or graph inputs and outputs make it FP16; anything
/// else is FP32.
/// </summary>
public static class OnnxModelPrecision
{
    // onnx.proto: GraphProto.node = 1, initializer = 5, output = 12 (graph and input: OnnxModelInputs);
    // TensorProto.data_type = 2; TensorProto.DataType FLOAT16 = 10.
    private const int NodeField = 1;
    private const int InitializerField = 5;
    private const int OutputField = 12;
    private const int DataTypeField = 2;
    private const int Float16 = 10;

    private static readonly HashSet<string> s_integerOperators = new(StringComparer.Ordinal)
    {
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "MatMulInteger", "ConvInteger",
        "QGemm", "QAttention", "QEmbedLayerNormalization", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "DynamicQuantizeLSTM",
    };

    /// <summary>The precision of the model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Precision Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var integer = false;
        var half = false;
        OnnxModelInputs.Walk(stream, stream.Length, (field, length) =>
        {
            if (field != OnnxModelInputs.GraphField)
            {
                return false;
            }

            OnnxModelInputs.Walk(stream, stream.Position + length, (graphField, graphLength) =>
            {
                switch (graphField)
                {
                    case NodeField when !integer:
                        var node = new byte[graphLength];
                        stream.ReadExactly(node);
                        var op = NodeProto.Parser.ParseFrom(node).OpType;
                        integer = s_integerOperators.Contains(op) || op.StartsWith("QLinear", StringComparison.Ordinal);
                        return true;
                    case InitializerField when !half:
                        half = DataType(stream, stream.Position + graphLength) == Float16;
                        return false;
                    case OnnxModelInputs.InputField or OutputField when !half:
                        var bytes = new byte[graphLength];
                        stream.ReadExactly(bytes);
                        half = ValueInfoProto.Parser.ParseFrom(bytes).Type?.TensorType?.ElemType == Float16;
                        return true;
                    default:
                        return false;
                }
            });
            return true;
        });
        return integer ? Precision.INT8 : half ? Precision.FP16 : Precision.FP32;
    }

    /// <summary><see cref="Read"/>, or null where the file is missing or not a model (the run reports that, with its reason).</summary>
    public static Precision? TryRead(string path)
    {
        try
        {
            return Read(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }
    }

    // TensorProto.data_type without reading the tensor's data (dims come first, the raw data last).
    private static long DataType(Stream stream, long end)
    {
        while (stream.Position < end)
        {
            var tag = OnnxModelInputs.ReadVarint(stream);
            switch ((int)(tag & 7))
            {
                case 0:
                    var value = OnnxModelInputs.ReadVarint(stream);
                    if ((int)(tag >> 3) == DataTypeField)
                    {
                        return (long)value;
                    }

                    break;
                case 1:
                    stream.Seek(8, SeekOrigin.Current);
                    break;
                case 2:
                    stream.Seek((long)OnnxModelInputs.ReadVarint(stream), SeekOrigin.Current);
                    break;
                case 5:
                    stream.Seek(4, SeekOrigin.Current);
                    break;
                default:
                    throw new InvalidDataException($"not an ONNX model: wire type {tag & 7} at byte {stream.Position}");
            }
        }

        return 0;
    }
}
