using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;

namespace BenchDaemon.Workloads.Models.Graph;

/// <summary>A tensor value for a test data set file: element type, shape and little-endian element bytes.</summary>
public sealed class OnnxTestTensor
{
    private OnnxTestTensor(TensorProto proto) => Proto = proto;

    internal TensorProto Proto { get; }

    /// <summary>A tensor of <paramref name="type"/> and <paramref name="dims"/> holding <paramref name="data"/>.</summary>
    public static OnnxTestTensor Of<T>(OnnxElementType type, long[] dims, ReadOnlySpan<T> data)
        where T : unmanaged => new(OnnxTensors.Create(string.Empty, type, dims, data));
}

/// <summary>
/// Writes the files of an ONNX test data set (<c>test_data_set_N/input_K.pb</c>,
/// <c>output_K.pb</c>) as the ONNX ecosystem stores them: a serialized <c>TensorProto</c> for a
/// tensor, <c>SequenceProto</c> for a sequence, <c>OptionalProto</c> for an optional. The tests and
/// the benchmarks build their models' data with it; users' sets come from their exporters.
/// </summary>
public static class OnnxTestData
{
    /// <summary>Writes a tensor named <paramref name="name"/> (empty: matched by its file's number).</summary>
    public static void Write(string path, string name, OnnxTestTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var proto = tensor.Proto.Clone();
        proto.Name = name ?? string.Empty;
        Save(path, proto);
    }

    /// <summary>Writes a sequence of tensors.</summary>
    public static void WriteSequence(string path, string name, IEnumerable<OnnxTestTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var proto = new SequenceProto { Name = name ?? string.Empty, ElemType = (int)SequenceProto.Types.DataType.Tensor };
        proto.TensorValues.Add(tensors.Select(t => t.Proto.Clone()));
        Save(path, proto);
    }

    /// <summary>Writes an optional tensor: present, or absent when <paramref name="tensor"/> is null.</summary>
    public static void WriteOptional(string path, string name, OnnxTestTensor? tensor)
    {
        var proto = new OptionalProto { Name = name ?? string.Empty };
        if (tensor is not null)
        {
            proto.ElemType = (int)SequenceProto.Types.DataType.Tensor;
            proto.TensorValue = tensor.Proto.Clone();
        }

        Save(path, proto);
    }

    private static void Save(string path, IMessage message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllBytes(path, message.ToByteArray());
    }
}
