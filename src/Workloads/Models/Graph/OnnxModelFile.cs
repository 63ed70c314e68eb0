using System.Globalization;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;

namespace BenchDaemon.Workloads.Models.Graph;

/// <summary>
/// An ONNX model read from a file without the data of its large initializers: <see cref="Model"/>
/// holds every message (nodes, inputs, outputs, metadata, small tensors), while each graph
/// initializer of at least <see cref="DeferredBytes"/> bytes keeps its name, type and shape and
/// leaves its data where it is, in the model file (<c>raw_data</c>) or in an external data file.
/// The data is read when asked for (<see cref="ReadData"/>) and copied when the model is written
/// (<see cref="WriteTo"/>), so a 440 MB model costs a few megabytes of memory.
/// </summary>
/// <remarks>
/// <para>
/// A deferred initializer is known by its name: an initializer of the written model that has no
/// data of its own and bears the name and element type of a deferred one takes that one's
/// data. Cloning <see cref="Model"/> keeps that link; an initializer added under a new name is
/// written as it is.
/// </para>
/// <para>
/// <see cref="WriteTo"/> writes the bytes Google.Protobuf would write for the message with its
/// data inline (<see cref="ProtoStreaming"/>), so a model read and written again without
/// changes is what <c>ModelProto.Parser.ParseFrom(bytes).ToByteArray()</c> gives, external
/// data brought inline included. The source files must not change while this object is used.
/// </para>
/// </remarks>
internal sealed class OnnxModelFile
{
    /// <summary>Initializers with at least this many bytes of data are left in their files.</summary>
    public const int DeferredBytes = 4096;

    private readonly Dictionary<string, Segment> _deferred;

    private OnnxModelFile(string path, ModelProto model, Dictionary<string, Segment> deferred)
    {
        Path = path;
        Model = model;
        _deferred = deferred;
    }

    /// <summary>The file the model was read from, absolute.</summary>
    public string Path { get; }

    /// <summary>The model, with the data of deferred initializers left out; callers may change it.</summary>
    public ModelProto Model { get; }

    /// <summary>Reads the model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is no ONNX model (a protobuf error, a truncated field), or an external data reference points outside its file.</exception>
    /// <exception cref="IOException">The file or an external data file cannot be read.</exception>
    public static OnnxModelFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        using var reader = new Reader(full, stream);
        return reader.Read();
    }

    /// <summary>Whether <paramref name="tensor"/> is a deferred initializer, its data left in a file.</summary>
    public bool IsDeferred(TensorProto tensor) => TryGetSegment(tensor, out _);

    /// <summary>The number of data bytes of <paramref name="tensor"/>: its deferred data, or its <c>raw_data</c>.</summary>
    public long DataLength(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return TryGetSegment(tensor, out var segment) ? segment.Length : tensor.RawData.Length;
    }

    /// <summary>
    /// Reads the <c>raw_data</c> bytes of <paramref name="tensor"/> into <paramref name="destination"/>,
    /// which must be <see cref="DataLength"/> bytes long: from the file when it is deferred,
    /// from the message otherwise.
    /// </summary>
    public void ReadData(TensorProto tensor, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (destination.Length != DataLength(tensor))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' has {DataLength(tensor)} data bytes, not {destination.Length}.", nameof(destination));
        }

        if (!TryGetSegment(tensor, out var segment))
        {
            tensor.RawData.Span.CopyTo(destination);
            return;
        }

        using var handle = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        ReadExactly(handle, segment.Offset, destination, segment.Path);
    }

    /// <summary>
    /// Writes <paramref name="model"/> (this file's <see cref="Model"/>, changed or not, or a
    /// clone of it) to <paramref name="destination"/> with the data of every deferred initializer
    /// inline, copied from its file.
    /// </summary>
    /// <param name="destination">Receives the model.</param>
    /// <param name="model">The model to write; its graph's initializer list is restored before returning.</param>
    /// <param name="externalDataDirectory">
    /// When set, deferred data that lies in a file in this directory or below is not copied but
    /// referenced as ONNX external data (<c>location</c> the file's path relative to it,
    /// <c>offset</c>, <c>length</c>), for a model that will be saved in that directory and
    /// loaded from there.
    /// </param>
    public void WriteTo(Stream destination, ModelProto model, string? externalDataDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? throw new InvalidOperationException("The model has no graph.");
        var external = externalDataDirectory is null ? null : System.IO.Path.GetFullPath(externalDataDirectory);
        var initializers = graph.Initializer.ToArray();
        var records = new List<Record>(initializers.Length);
        long bytes = 0;
        foreach (var tensor in initializers)
        {
            Record record;
            if (!TryGetSegment(tensor, out var segment))
            {
                record = new Record(tensor, null, default);
            }
            else if (external is not null && Within(external, segment.Path) is { } location)
            {
                var reference = tensor.Clone();
                reference.ExternalData.Add(Entry("location", location));
                reference.ExternalData.Add(Entry("offset", segment.Offset.ToString(CultureInfo.InvariantCulture)));
                reference.ExternalData.Add(Entry("length", segment.Length.ToString(CultureInfo.InvariantCulture)));
                reference.DataLocation = TensorProto.Types.DataLocation.External;
                record = new Record(reference, null, default);
            }
            else
            {
                record = new Record(null, segment, ProtoStreaming.Initializer(tensor, segment.Length));
            }

            records.Add(record);
            bytes += record.Size;
        }

        var files = new Dictionary<string, FileStream>(StringComparer.Ordinal);
        graph.Initializer.Clear();
        try
        {
            ProtoStreaming.WriteModel(destination, model, bytes, d =>
            {
                foreach (var record in records)
                {
                    record.Write(d, files);
                }
            });
        }
        finally
        {
            graph.Initializer.Add(initializers);
            foreach (var file in files.Values)
            {
                file.Dispose();
            }
        }
    }

    private bool TryGetSegment(TensorProto tensor, out Segment segment)
    {
        segment = default;
        return tensor.RawData.IsEmpty
            && tensor.ExternalData.Count == 0
            && tensor.FloatData.Count == 0 && tensor.Int32Data.Count == 0 && tensor.Int64Data.Count == 0
            && tensor.DoubleData.Count == 0 && tensor.Uint64Data.Count == 0 && tensor.StringData.Count == 0
            && _deferred.TryGetValue(tensor.Name, out segment)
            && segment.DataType == tensor.DataType;
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };

    // The path of file relative to directory, or null when it lies outside: ONNX Runtime refuses
    // external data that escapes the model's directory, through ".." or a symbolic link alike.
    private static string? Within(string directory, string file)
    {
        var relative = System.IO.Path.GetRelativePath(directory, file);
        return relative == ".." || relative.StartsWith(".." + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative)
            ? null
            : relative.Replace(System.IO.Path.DirectorySeparatorChar, '/');
    }

    private static void ReadExactly(SafeFileHandle handle, long offset, Span<byte> destination, string path)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(handle, destination, offset);
            if (read == 0)
            {
                throw new EndOfStreamException($"{path} ended before the data of an initializer.");
            }

            offset += read;
            destination = destination[read..];
        }
    }

    /// <summary>Where a deferred initializer's data lies: a byte range of a file, and the element type it was read with.</summary>
    private readonly record struct Segment(string Path, long Offset, long Length, int DataType);

    /// <summary>One initializer to write: a message as it is, or a message around deferred data.</summary>
    private readonly struct Record(TensorProto? tensor, Segment? segment, ProtoStreaming.InitializerRecord deferred)
    {
        public long Size => tensor is not null ? ProtoStreaming.FieldSize(ProtoStreaming.InitializerField, tensor.CalculateSize()) : deferred.Size;

        public void Write(Stream destination, Dictionary<string, FileStream> files)
        {
            if (tensor is not null)
            {
                ProtoStreaming.WriteFieldHeader(destination, ProtoStreaming.InitializerField, tensor.CalculateSize());
                tensor.WriteTo(destination);
                return;
            }

            var s = segment!.Value;
            if (!files.TryGetValue(s.Path, out var file))
            {
                files[s.Path] = file = new FileStream(s.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            }

            deferred.WriteStart(destination);
            ProtoStreaming.Copy(file, s.Offset, s.Length, destination);
            deferred.WriteEnd(destination);
        }
    }

    /// <summary>
    /// Walks the protobuf wire format of a model file: the model's fields other than its graph,
    /// and the graph's fields other than its initializers, are gathered as bytes and parsed by
    /// Google.Protobuf; each initializer is parsed on its own, without its large <c>raw_data</c>,
    /// whose place in the file is noted instead.
    /// </summary>
    private sealed class Reader(string path, FileStream stream) : IDisposable
    {
        private readonly Dictionary<string, Segment> _deferred = new(StringComparer.Ordinal);
        private readonly MemoryStream _model = new();
        private readonly MemoryStream _graph = new();
        private readonly List<TensorProto> _initializers = [];
        private bool _hasGraph;

        public void Dispose()
        {
            _model.Dispose();
            _graph.Dispose();
        }

        public OnnxModelFile Read()
        {
            var end = stream.Length;
            while (stream.Position < end)
            {
                var (field, wireType) = ReadTag();
                if (field == ProtoStreaming.GraphField && wireType == WireFormat.WireType.LengthDelimited)
                {
                    ReadGraph(Limit(end));
                    _hasGraph = true;
                }
                else
                {
                    CopyField(field, wireType, _model, end);
                }
            }

            var model = Parse(ModelProto.Parser, _model);
            if (_hasGraph)
            {
                var graph = Parse(GraphProto.Parser, _graph);
                graph.Initializer.Add(_initializers);
                model.Graph = graph;
            }

            return new OnnxModelFile(path, model, _deferred);
        }

        private void ReadGraph(long end)
        {
            while (stream.Position < end)
            {
                var (field, wireType) = ReadTag();
                if (field == ProtoStreaming.InitializerField && wireType == WireFormat.WireType.LengthDelimited)
                {
                    _initializers.Add(ReadInitializer(Limit(end)));
                }
                else
                {
                    CopyField(field, wireType, _graph, end);
                }
            }

            Expect(end);
        }

        private TensorProto ReadInitializer(long end)
        {
            using var fields = new MemoryStream();
            (long Offset, long Length)? raw = null;
            while (stream.Position < end)
            {
                var (field, wireType) = ReadTag();
                if (field == ProtoStreaming.RawDataField && wireType == WireFormat.WireType.LengthDelimited)
                {
                    var length = ReadLength(end);
                    if (length >= DeferredBytes)
                    {
                        // A repeated singular field: the last one wins, as in Google.Protobuf's parse.
                        raw = (stream.Position, length);
                        stream.Seek(length, SeekOrigin.Current);
                        continue;
                    }

                    raw = null;
                    WriteTag(fields, field, wireType);
                    WriteVarint(fields, (ulong)length);
                    CopyBytes(length, fields);
                }
                else
                {
                    CopyField(field, wireType, fields, end);
                }
            }

            Expect(end);
            var tensor = Parse(TensorProto.Parser, fields);
            var segment = raw is { } r ? new Segment(path, r.Offset, r.Length, tensor.DataType) : (Segment?)null;
            if (tensor.DataLocation == TensorProto.Types.DataLocation.External && segment is null && External(tensor) is { } external)
            {
                segment = external;
                tensor.ExternalData.Clear();
                tensor.DataLocation = TensorProto.Types.DataLocation.Default;
            }

            if (segment is { } s)
            {
                if (!tensor.RawData.IsEmpty || !_deferred.TryAdd(tensor.Name, s))
                {
                    // A second initializer of the same name (or a raw_data field before the deferred one):
                    // kept in memory, since a name can point at one range only.
                    var data = new byte[s.Length];
                    using var handle = File.OpenHandle(s.Path, FileMode.Open, FileAccess.Read, FileShare.Read);
                    ReadExactly(handle, s.Offset, data, s.Path);
                    tensor.RawData = UnsafeByteOperations.UnsafeWrap(data);
                }
            }

            return tensor;
        }

        // https://onnx.ai/onnx/repo-docs/ExternalData.html: location relative to the model's directory,
        // offset and length in bytes. A file that is not there leaves the reference as it is, for
        // ONNX Runtime to report when it loads the model (a model passed as bytes has no directory).
        private Segment? External(TensorProto tensor)
        {
            var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            if (!entries.TryGetValue("location", out var location) || location.Length == 0)
            {
                throw new InvalidDataException($"Initializer '{tensor.Name}' is stored externally without a location.");
            }

            var file = System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, location));
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                return null;
            }

            var size = info.Length;
            var offset = entries.TryGetValue("offset", out var o) ? Number(o) : 0;
            var length = entries.TryGetValue("length", out var l) ? Number(l) : size - offset;
            if (offset < 0 || length < 0 || offset + length > size)
            {
                throw new InvalidDataException($"Initializer '{tensor.Name}' points at bytes {offset}..{offset + length} of {file}, which has {size}.");
            }

            return new Segment(file, offset, length, tensor.DataType);

            long Number(string text) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InvalidDataException($"Initializer '{tensor.Name}' has external data entry '{text}', which is no byte count.");
        }

        private (int Field, WireFormat.WireType WireType) ReadTag()
        {
            var tag = ReadVarint();
            var field = (int)(tag >> 3);
            if (field <= 0 || tag > uint.MaxValue)
            {
                throw new InvalidDataException($"{path} is no ONNX model: invalid field tag {tag} at byte {stream.Position}.");
            }

            return (field, (WireFormat.WireType)(tag & 7));
        }

        private void CopyField(int field, WireFormat.WireType wireType, MemoryStream to, long end)
        {
            WriteTag(to, field, wireType);
            switch (wireType)
            {
                case WireFormat.WireType.Varint:
                    WriteVarint(to, ReadVarint());
                    break;
                case WireFormat.WireType.Fixed64:
                    CopyBytes(8, to);
                    break;
                case WireFormat.WireType.Fixed32:
                    CopyBytes(4, to);
                    break;
                case WireFormat.WireType.LengthDelimited:
                    var length = ReadLength(end);
                    WriteVarint(to, (ulong)length);
                    CopyBytes(length, to);
                    break;
                default:
                    // Groups (3, 4) were deprecated before ONNX existed; no ONNX writer emits them.
                    throw new InvalidDataException($"{path} is no ONNX model: field {field} has wire type {(int)wireType} at byte {stream.Position}.");
            }

            Expect(end, atMost: true);
        }

        private long Limit(long end)
        {
            var length = ReadLength(end);
            return stream.Position + length;
        }

        private long ReadLength(long end)
        {
            var length = ReadVarint();
            if (length > (ulong)(end - stream.Position))
            {
                throw new InvalidDataException($"{path} is no ONNX model: a field of {length} bytes at byte {stream.Position} runs past the end of its message.");
            }

            return (long)length;
        }

        private ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = stream.ReadByte();
                if (b < 0)
                {
                    throw new InvalidDataException($"{path} is no ONNX model: it ends inside a field.");
                }

                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException($"{path} is no ONNX model: a varint at byte {stream.Position} is longer than ten bytes.");
        }

        private void CopyBytes(long length, MemoryStream to)
        {
            var buffer = new byte[(int)Math.Min(length, 1 << 16)];
            while (length > 0)
            {
                var read = stream.Read(buffer, 0, (int)Math.Min(length, buffer.Length));
                if (read == 0)
                {
                    throw new InvalidDataException($"{path} is no ONNX model: it ends inside a field.");
                }

                to.Write(buffer, 0, read);
                length -= read;
            }
        }

        private void Expect(long end, bool atMost = false)
        {
            if (stream.Position > end || (!atMost && stream.Position != end))
            {
                throw new InvalidDataException($"{path} is no ONNX model: a message's fields run past its length.");
            }
        }

        private T Parse<T>(MessageParser<T> parser, MemoryStream bytes)
            where T : IMessage<T>
        {
            try
            {
                return parser.ParseFrom(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new InvalidDataException($"{path} is no ONNX model: {ex.Message}", ex);
            }
        }

        private static void WriteTag(MemoryStream to, int field, WireFormat.WireType wireType) => WriteVarint(to, WireFormat.MakeTag(field, wireType));

        private static void WriteVarint(MemoryStream to, ulong value)
        {
            while (value >= 0x80)
            {
                to.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            to.WriteByte((byte)value);
        }
    }
}
