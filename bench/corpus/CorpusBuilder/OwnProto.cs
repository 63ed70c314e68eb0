using System.Runtime.InteropServices;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;

namespace BenchDaemon.Bench.Corpus;

/// <summary>ONNX messages the product's writer has no call for, built from the corpus' own copy of onnx.proto.</summary>
internal static class OwnProto
{
    public static TensorProto Tensor(string name, Nd value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)value.Type };
        tensor.Dims.Add(value.Shape);
        byte[] raw = value.Type switch
        {
            OnnxElementType.Float => MemoryMarshal.AsBytes(value.Floats().AsSpan()).ToArray(),
            OnnxElementType.Double => MemoryMarshal.AsBytes(value.Doubles().AsSpan()).ToArray(),
            OnnxElementType.Int64 => MemoryMarshal.AsBytes(value.Longs().AsSpan()).ToArray(),
            OnnxElementType.Int32 => MemoryMarshal.AsBytes(value.Ints().AsSpan()).ToArray(),
            _ => throw new NotSupportedException($"no raw tensor of {value.Type}"),
        };
        tensor.RawData = ByteString.CopyFrom(raw);
        return tensor;
    }

    public static TensorProto StringTensor(string name, long[] shape, string[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)OnnxElementType.String };
        tensor.Dims.Add(shape);
        tensor.StringData.Add(values.Select(ByteString.CopyFromUtf8));
        return tensor;
    }

    public static MapProto Map(string name, long[] keys, Nd values)
    {
        var map = new MapProto { Name = name, KeyType = (int)OnnxElementType.Int64, Values = Values(values) };
        map.Keys.Add(keys);
        return map;
    }

    public static MapProto Map(string name, string[] keys, Nd values)
    {
        var map = new MapProto { Name = name, KeyType = (int)OnnxElementType.String, Values = Values(values) };
        map.StringKeys.Add(keys.Select(ByteString.CopyFromUtf8));
        return map;
    }

    // ONNX stores a map's values as a sequence: one scalar tensor per key.
    private static SequenceProto Values(Nd values)
    {
        var sequence = new SequenceProto { ElemType = (int)SequenceProto.Types.DataType.Tensor };
        sequence.TensorValues.Add(values.Data.Select(v => Tensor(string.Empty, Nd.Scalar(values.Type, v))));
        return sequence;
    }

    /// <summary>An attribute holding a list of strings (<c>keys_strings</c>, <c>classlabels_strings</c>…).</summary>
    public static AttributeProto Strings(string name, params string[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.Add(values.Select(ByteString.CopyFromUtf8));
        return attribute;
    }
}
