using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// Reads a model's graph inputs (names and declared shapes) from its file without loading the
/// model: the protobuf is walked field by field and everything but the inputs is skipped with a
/// seek, so a 440 MB model costs a few reads. TensorRT's optimisation profile is built from it.
/// </summary>
public static class OnnxModelInputs
{
    // ModelProto.graph = 7; GraphProto.input = 11 (onnx.proto).
    internal const int GraphField = 7;
    internal const int InputField = 11;

    /// <summary>The graph inputs of the model at <paramref name="path"/>, in order.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model.</exception>
    public static IReadOnlyList<ModelInput> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var inputs = new List<ModelInput>();
        Walk(stream, stream.Length, (field, length) =>
        {
            if (field != GraphField)
            {
                return false;
            }

            Walk(stream, stream.Position + length, (graphField, graphLength) =>
            {
                if (graphField != InputField)
                {
                    return false;
                }

                var bytes = new byte[graphLength];
                stream.ReadExactly(bytes);
                inputs.Add(ToInput(ValueInfoProto.Parser.ParseFrom(bytes)));
                return true;
            });
            return true;
        });
        return inputs;
    }

    // Calls onField for each length-delimited field up to end; a field it does not consume is skipped.
    internal static void Walk(Stream stream, long end, Func<int, long, bool> onField)
    {
        while (stream.Position < end)
        {
            var tag = ReadVarint(stream);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    ReadVarint(stream);
                    break;
                case 1:
                    stream.Seek(8, SeekOrigin.Current);
                    break;
                case 2:
                    var length = (long)ReadVarint(stream);
                    var start = stream.Position;
                    if (!onField(field, length))
                    {
                        stream.Seek(start + length, SeekOrigin.Begin);
                    }

                    break;
                case 5:
                    stream.Seek(4, SeekOrigin.Current);
                    break;
                default:
                    throw new InvalidDataException($"not an ONNX model: wire type {tag & 7} at byte {stream.Position}");
            }
        }
    }

    internal static ulong ReadVarint(Stream stream)
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
            [.. dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : string.Empty)]);
    }
}
