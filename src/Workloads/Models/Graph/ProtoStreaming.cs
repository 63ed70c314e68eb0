using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace BenchDaemon.Workloads.Models.Graph;

/// <summary>
/// Writes an ONNX model whose initializers are not in memory, byte for byte as Google.Protobuf's
/// <c>ToByteArray</c> would write the whole message.
/// </summary>
/// <remarks>
/// Google.Protobuf writes the known fields of a message in field-number order, then its unknown
/// fields in the order they were read
/// (<see href="https://protobuf.dev/programming-guides/serialization-not-canonical/">serialization</see>:
/// deterministic for one library version, which is all the model cache relies on). So a
/// message serialized without one of its fields, cut before the first field that is known and
/// numbered higher or unknown, and joined again around that field's bytes, is the message as
/// Google.Protobuf writes it. A model is cut around its graph (7), the graph around its
/// initializers (5), and an initializer around its <c>raw_data</c> (9); only the length prefixes
/// need the sizes, which are known before the bytes are copied.
/// </remarks>
internal static class ProtoStreaming
{
    /// <summary><c>ModelProto.graph</c>.</summary>
    public const int GraphField = 7;

    /// <summary><c>GraphProto.initializer</c>.</summary>
    public const int InitializerField = 5;

    /// <summary><c>TensorProto.raw_data</c>.</summary>
    public const int RawDataField = 9;

    /// <summary>Bytes of a length-delimited field with <paramref name="length"/> bytes of content: tag, length prefix and content.</summary>
    public static long FieldSize(int fieldNumber, long length) =>
        CodedOutputStream.ComputeTagSize(fieldNumber) + CodedOutputStream.ComputeRawVarint64Size((ulong)length) + length;

    /// <summary>Writes the tag and length prefix of a length-delimited field; the caller writes its <paramref name="length"/> bytes next.</summary>
    public static void WriteFieldHeader(Stream destination, int fieldNumber, long length)
    {
        Span<byte> header = stackalloc byte[20];
        var size = WriteVarint(header, WireFormat.MakeTag(fieldNumber, WireFormat.WireType.LengthDelimited));
        size += WriteVarint(header[size..], (ulong)length);
        destination.Write(header[..size]);
    }

    /// <summary>
    /// Serializes <paramref name="message"/>, which must not have field <paramref name="fieldNumber"/>,
    /// and cuts the bytes where Google.Protobuf would write that field.
    /// </summary>
    public static SplitMessage Split(IMessage message, int fieldNumber)
    {
        var bytes = message.ToByteArray();
        var descriptor = message.Descriptor;
        var input = new CodedInputStream(bytes);
        var cut = bytes.Length;
        while (true)
        {
            var position = (int)input.Position;
            var tag = input.ReadTag();
            if (tag == 0)
            {
                break;
            }

            var number = WireFormat.GetTagFieldNumber(tag);
            if (number == fieldNumber)
            {
                throw new InvalidOperationException($"{descriptor.Name} still has field {fieldNumber}; clear it before splitting around it.");
            }

            if (number > fieldNumber || descriptor.FindFieldByNumber(number) is null)
            {
                cut = position;
                break;
            }

            input.SkipLastField();
        }

        return new SplitMessage(bytes.AsMemory(0, cut), bytes.AsMemory(cut));
    }

    /// <summary>
    /// Writes <paramref name="model"/>, whose graph must have no initializers, with
    /// <paramref name="initializerBytes"/> bytes of serialized initializer fields (tag, length and
    /// <c>TensorProto</c> each) written by <paramref name="writeInitializers"/> in their place.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no graph or its graph has initializers, or <paramref name="writeInitializers"/> wrote another number of bytes.</exception>
    public static void WriteModel(Stream destination, ModelProto model, long initializerBytes, Action<Stream> writeInitializers)
    {
        var graph = model.Graph ?? throw new InvalidOperationException("The model has no graph.");
        if (graph.Initializer.Count > 0)
        {
            throw new InvalidOperationException("The graph's initializers are written separately; clear them first.");
        }

        SplitMessage outer;
        model.Graph = null;
        try
        {
            outer = Split(model, GraphField);
        }
        finally
        {
            model.Graph = graph;
        }

        var inner = Split(graph, InitializerField);
        destination.Write(outer.Before.Span);
        WriteFieldHeader(destination, GraphField, inner.Before.Length + initializerBytes + inner.After.Length);
        destination.Write(inner.Before.Span);
        var start = destination.CanSeek ? destination.Position : -1;
        writeInitializers(destination);
        if (start >= 0 && destination.Position - start != initializerBytes)
        {
            throw new InvalidOperationException($"The initializers took {destination.Position - start} bytes, not the {initializerBytes} their length prefix states.");
        }

        destination.Write(inner.After.Span);
        destination.Write(outer.After.Span);
    }

    /// <summary>
    /// A graph initializer field (tag 5 and length) holding <paramref name="tensor"/>, which has
    /// no <c>raw_data</c>, with <paramref name="rawLength"/> bytes of <c>raw_data</c> the caller
    /// writes; <see cref="InitializerRecord.Size"/> tells the bytes before anything is written.
    /// </summary>
    public static InitializerRecord Initializer(TensorProto tensor, long rawLength) => new(Split(tensor, RawDataField), rawLength);

    /// <summary>Copies <paramref name="length"/> bytes of <paramref name="source"/> from <paramref name="offset"/> to <paramref name="destination"/>.</summary>
    public static void Copy(Stream source, long offset, long length, Stream destination)
    {
        source.Position = offset;
        var buffer = new byte[(int)Math.Min(length, 1 << 20)];
        while (length > 0)
        {
            var read = source.Read(buffer, 0, (int)Math.Min(length, buffer.Length));
            if (read == 0)
            {
                throw new EndOfStreamException($"The source ended {length} bytes early.");
            }

            destination.Write(buffer, 0, read);
            length -= read;
        }
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var size = 0;
        while (value >= 0x80)
        {
            destination[size++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[size++] = (byte)value;
        return size;
    }

    /// <summary>A message's bytes before and after the place of a field it lacks.</summary>
    internal readonly record struct SplitMessage(ReadOnlyMemory<byte> Before, ReadOnlyMemory<byte> After);

    /// <summary>One initializer field whose <c>raw_data</c> is written from elsewhere.</summary>
    internal readonly record struct InitializerRecord(SplitMessage Tensor, long RawLength)
    {
        /// <summary>Bytes of the <c>TensorProto</c> with its <c>raw_data</c> (proto3 leaves out empty bytes).</summary>
        public long TensorLength => Tensor.Before.Length + (RawLength > 0 ? FieldSize(RawDataField, RawLength) : 0) + Tensor.After.Length;

        /// <summary>Bytes of the whole initializer field: tag, length prefix and tensor.</summary>
        public long Size => FieldSize(InitializerField, TensorLength);

        /// <summary>Writes the field up to its <c>raw_data</c>; the caller then writes exactly <see cref="RawLength"/> bytes and calls <see cref="WriteEnd"/>.</summary>
        public void WriteStart(Stream destination)
        {
            WriteFieldHeader(destination, InitializerField, TensorLength);
            destination.Write(Tensor.Before.Span);
            if (RawLength > 0)
            {
                WriteFieldHeader(destination, RawDataField, RawLength);
            }
        }

        /// <summary>Writes the tensor's fields after its <c>raw_data</c>.</summary>
        public void WriteEnd(Stream destination) => destination.Write(Tensor.After.Span);
    }
}
