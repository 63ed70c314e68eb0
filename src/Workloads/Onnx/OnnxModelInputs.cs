using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// Reads a model's graph inputs (names and declared shapes), and on request the precision the
/// graph is (<see cref="OnnxModelPrecision"/>), from its file without loading the model: the
/// protobuf is walked field by field and everything else is skipped with a seek, so a 440 MB
/// model costs a few reads. TensorRT's optimisation profile and the configuration check use it.
/// </summary>
public static class OnnxModelInputs
{
    // onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, initializer = 5, input = 11, output = 12.
    private const int GraphField = 7;
    private const int NodeField = 1;
    private const int InitializerField = 5;
    private const int InputField = 11;
    private const int OutputField = 12;

    /// <summary>The graph inputs of the model at <paramref name="path"/>, in order.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model.</exception>
    public static IReadOnlyList<ModelInput> Read(string path) => Read(path, withPrecision: false).Inputs;

    /// <summary>The graph inputs and the precision of the model at <paramref name="path"/>, in one pass over the file.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model.</exception>
    public static (IReadOnlyList<ModelInput> Inputs, Precision Precision) ReadWithPrecision(string path) => Read(path, withPrecision: true);

    private static (IReadOnlyList<ModelInput> Inputs, Precision Precision) Read(string path, bool withPrecision)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var inputs = new List<ModelInput>();
        var integer = false;
        var half = false;
        Walk(stream, stream.Length, (field, length) =>
        {
            if (field != GraphField)
            {
                return false;
            }

            Walk(stream, stream.Position + length, (graphField, graphLength) =>
            {
                switch (graphField)
                {
                    case InputField:
                        var input = ValueInfoProto.Parser.ParseFrom(ReadBytes(stream, graphLength));
                        inputs.Add(ToInput(input));
                        half |= withPrecision && OnnxModelPrecision.IsHalf(input);
                        return true;
                    case OutputField when withPrecision && !half:
                        half = OnnxModelPrecision.IsHalf(ValueInfoProto.Parser.ParseFrom(ReadBytes(stream, graphLength)));
                        return true;
                    case NodeField when withPrecision && !integer:
                        integer = OnnxModelPrecision.IsIntegerOperator(NodeProto.Parser.ParseFrom(ReadBytes(stream, graphLength)).OpType);
                        return true;
                    case InitializerField when withPrecision && !half:
                        half = OnnxModelPrecision.IsHalf(TensorDataType(stream, stream.Position + graphLength));
                        return false;
                    default:
                        return false;
                }
            });
            return true;
        });
        return (inputs, integer ? Precision.INT8 : half ? Precision.FP16 : Precision.FP32);
    }

    /// <summary>
    /// The top-level graph's nodes and the shapes of its initializers (their data skipped), for
    /// reading what the graph does with its inputs (<see cref="InputHints"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model.</exception>
    internal static (IReadOnlyList<NodeProto> Nodes, IReadOnlyDictionary<string, long[]> Initializers) ReadStructure(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var nodes = new List<NodeProto>();
        var initializers = new Dictionary<string, long[]>(StringComparer.Ordinal);
        Walk(stream, stream.Length, (field, length) =>
        {
            if (field != GraphField)
            {
                return false;
            }

            Walk(stream, stream.Position + length, (graphField, graphLength) =>
            {
                switch (graphField)
                {
                    case NodeField:
                        nodes.Add(NodeProto.Parser.ParseFrom(ReadBytes(stream, graphLength)));
                        return true;
                    case InitializerField:
                        var (name, dims) = TensorHeader(stream, stream.Position + graphLength);
                        initializers[name] = dims;
                        return false;
                    default:
                        return false;
                }
            });
            return true;
        });
        return (nodes, initializers);
    }

    // TensorProto.name (field 8) and dims (field 1, packed or not), skipping the data.
    private static (string Name, long[] Dims) TensorHeader(Stream stream, long end)
    {
        var name = string.Empty;
        var dims = new List<long>();
        while (stream.Position < end)
        {
            var tag = ReadVarint(stream);
            var field = (int)(tag >> 3);
            if (field == 1 && (tag & 7) == 0)
            {
                dims.Add((long)ReadVarint(stream));
            }
            else if (field == 1 && (tag & 7) == 2)
            {
                var packedLength = (long)ReadVarint(stream);
                var packedEnd = stream.Position + packedLength;
                while (stream.Position < packedEnd)
                {
                    dims.Add((long)ReadVarint(stream));
                }
            }
            else if (field == 8 && (tag & 7) == 2)
            {
                name = System.Text.Encoding.UTF8.GetString(ReadBytes(stream, (long)ReadVarint(stream)));
            }
            else
            {
                Skip(stream, tag);
            }
        }

        return (name, [.. dims]);
    }

    private static byte[] ReadBytes(Stream stream, long length)
    {
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    // TensorProto.data_type (field 2) without reading the tensor's data (dims come first, the raw data last).
    private static long TensorDataType(Stream stream, long end)
    {
        while (stream.Position < end)
        {
            var tag = ReadVarint(stream);
            if ((tag & 7) == 0)
            {
                var value = ReadVarint(stream);
                if ((tag >> 3) == 2)
                {
                    return (long)value;
                }
            }
            else
            {
                Skip(stream, tag);
            }
        }

        return 0;
    }

    // Calls onField for each length-delimited field up to end; a field it does not consume is skipped.
    private static void Walk(Stream stream, long end, Func<int, long, bool> onField)
    {
        while (stream.Position < end)
        {
            var tag = ReadVarint(stream);
            if ((tag & 7) == 2)
            {
                var length = (long)ReadVarint(stream);
                var start = stream.Position;
                if (!onField((int)(tag >> 3), length))
                {
                    stream.Seek(start + length, SeekOrigin.Begin);
                }
            }
            else
            {
                Skip(stream, tag);
            }
        }
    }

    // Skips the value of a field that is not length-delimited.
    private static void Skip(Stream stream, ulong tag)
    {
        switch ((int)(tag & 7))
        {
            case 0:
                ReadVarint(stream);
                break;
            case 1:
                stream.Seek(8, SeekOrigin.Current);
                break;
            case 2:
                stream.Seek((long)ReadVarint(stream), SeekOrigin.Current);
                break;
            case 5:
                stream.Seek(4, SeekOrigin.Current);
                break;
            default:
                throw new InvalidDataException($"not an ONNX model: wire type {tag & 7} at byte {stream.Position}");
        }
    }

    private static ulong ReadVarint(Stream stream)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new InvalidDataException("not an ONNX model: the file ends inside a field");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("not an ONNX model: a varint longer than 10 bytes");
    }

    private static ModelInput ToInput(ValueInfoProto info)
    {
        var dims = info.Type?.TensorType?.Shape?.Dim ?? [];
        return new ModelInput(
            info.Name,
            [.. dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1)],
            [.. dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : string.Empty)],
            info.Type is null || info.Type.ValueCase == TypeProto.ValueOneofCase.TensorType);
    }
}
