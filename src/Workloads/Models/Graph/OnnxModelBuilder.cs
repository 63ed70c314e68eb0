using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;

namespace BenchDaemon.Workloads.Models.Graph;

/// <summary>
/// Writes an ONNX model from code: graph inputs and outputs, initializers (weights), nodes
/// in topological order, opset imports and metadata. Names are checked as they are added
/// (a node may only read names defined before it, every name is defined once), so a mistake
/// is reported here rather than as a load failure in ONNX Runtime.
/// </summary>
/// <remarks>
/// <para>
/// The model is stamped IR version <see cref="IrVersion"/> (8, the IR of ONNX 1.10–1.12,
/// whose own opset is 17), which carries everything this builder writes. ONNX Runtime reads
/// every IR version up to its own (13 for 1.31.1) and checks the opset separately: measured
/// with 1.31.1, an IR 8 model loads at any released ai.onnx opset (up to 26) and is refused
/// above it, so IR 8 serves the default opset 17 and newer ones alike
/// (<see href="https://github.com/onnx/onnx/blob/main/docs/Versioning.md">versioning table</see>).
/// </para>
/// <para>
/// <see cref="ToBytes"/> is deterministic: the same calls give the same bytes on any machine.
/// No producer version, timestamp or host detail goes into the model for that reason.
/// </para>
/// <para>
/// Each initializer is serialized into the builder's initializer store when it is added, so
/// its values need not outlive the call; only the graph's nodes, inputs and outputs stay in
/// memory as messages. A store that is a file (<see cref="CreateInitializerStore"/>) keeps a
/// model of any size out of memory: <see cref="WriteTo"/> then copies the initializers into
/// place, and the bytes are those Google.Protobuf's <c>ToByteArray</c> gives for the whole
/// model (fields in number order), whichever store is used.
/// </para>
/// </remarks>
public sealed class OnnxModelBuilder
{
    /// <summary>The ONNX IR version written to every model.</summary>
    public const long IrVersion = 8;

    /// <summary>The <c>producer_name</c> written to every model.</summary>
    public const string ProducerName = "benchdaemon";

    /// <summary>The default-domain (ai.onnx) opset used when none is given.</summary>
    public const long DefaultOpset = 17;

    private readonly string _graphName;
    private readonly List<OperatorSetIdProto> _opsets = [];
    private readonly List<ValueInfoProto> _inputs = [];
    private readonly List<ValueInfoProto> _outputs = [];
    private readonly Stream _initializerStore;
    private readonly List<NodeProto> _nodes = [];
    private readonly List<StringStringEntryProto> _metadata = [];
    private readonly HashSet<string> _defined = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outer = new(StringComparer.Ordinal);

    private readonly long _storeStart;
    private long _initializerBytes;

    /// <summary>
    /// Starts a model whose graph is named <paramref name="graphName"/>, importing the default
    /// domain at <paramref name="opset"/>, that keeps its serialized initializers in memory.
    /// </summary>
    public OnnxModelBuilder(string graphName, long opset = DefaultOpset)
        : this(graphName, opset, new MemoryStream())
    {
    }

    /// <summary>
    /// Starts a model like <see cref="OnnxModelBuilder(string, long)"/> that serializes each
    /// initializer into <paramref name="initializerStore"/> as it is added, from the store's
    /// current length on. The caller owns the store and disposes it after the last
    /// <see cref="WriteTo"/>; see <see cref="CreateInitializerStore"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="initializerStore"/> cannot be read, written and sought.</exception>
    public OnnxModelBuilder(string graphName, long opset, Stream initializerStore)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        ArgumentNullException.ThrowIfNull(initializerStore);
        if (!initializerStore.CanRead || !initializerStore.CanWrite || !initializerStore.CanSeek)
        {
            throw new ArgumentException("The initializer store must be readable, writable and seekable.", nameof(initializerStore));
        }

        _graphName = graphName;
        _initializerStore = initializerStore;
        _storeStart = initializerStore.Length;
        Opset(string.Empty, opset);
    }

    /// <summary>Sum of the element counts of all initializers added so far.</summary>
    public long ParameterCount { get; private set; }

    /// <summary>
    /// Imports <paramref name="domain"/> (for example <c>com.microsoft</c>; empty for ai.onnx)
    /// at <paramref name="version"/>, replacing an earlier import of the same domain.
    /// </summary>
    public OnnxModelBuilder Opset(string domain, long version)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        domain = NormalizeDomain(domain);
        var existing = _opsets.Find(o => o.Domain == domain);
        if (existing is not null)
        {
            existing.Version = version;
        }
        else
        {
            _opsets.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }

        return this;
    }

    /// <summary>Declares a tensor graph input.</summary>
    public OnnxModelBuilder Input(string name, OnnxElementType type, params OnnxDim[] dims) =>
        Input(name, TensorType(type, dims));

    /// <summary>Declares a graph input of any type (a tensor, sequence, optional or map).</summary>
    public OnnxModelBuilder Input(string name, OnnxType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Define(name);
        _inputs.Add(new ValueInfoProto { Name = name, Type = type.Proto.Clone() });
        return this;
    }

    /// <summary>Declares a tensor graph output; it must be defined (by a node, input or initializer) before <see cref="ToBytes"/>.</summary>
    public OnnxModelBuilder Output(string name, OnnxElementType type, params OnnxDim[] dims) =>
        Output(name, TensorType(type, dims));

    /// <summary>Declares a graph output of any type; it must be defined before <see cref="ToBytes"/>.</summary>
    public OnnxModelBuilder Output(string name, OnnxType type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(type);
        if (_outputs.Exists(o => o.Name == name))
        {
            throw new ArgumentException($"Output '{name}' is declared twice.", nameof(name));
        }

        _outputs.Add(new ValueInfoProto { Name = name, Type = type.Proto.Clone() });
        return this;
    }

    /// <summary>
    /// Starts the body of a control-flow node (the <c>then_branch</c> of an <c>If</c>, the body
    /// of a <c>Loop</c>): a graph whose nodes may read <paramref name="outerScope"/>, names
    /// defined in the graph around it. Give it to <see cref="OnnxAttribute.Graph"/>.
    /// </summary>
    public static OnnxModelBuilder Subgraph(string graphName, params string[] outerScope)
    {
        ArgumentNullException.ThrowIfNull(outerScope);
        var builder = new OnnxModelBuilder(graphName);
        foreach (var name in outerScope)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(outerScope));
            builder._outer.Add(name);
        }

        return builder;
    }

    /// <summary>Adds a FLOAT initializer.</summary>
    public OnnxModelBuilder Initializer(string name, long[] dims, ReadOnlySpan<float> data) =>
        AddInitializer(name, OnnxElementType.Float, dims, data);

    /// <summary>Adds a FLOAT16 initializer.</summary>
    public OnnxModelBuilder Initializer(string name, long[] dims, ReadOnlySpan<Half> data) =>
        AddInitializer(name, OnnxElementType.Float16, dims, data);

    /// <summary>Adds a DOUBLE initializer.</summary>
    public OnnxModelBuilder Initializer(string name, long[] dims, ReadOnlySpan<double> data) =>
        AddInitializer(name, OnnxElementType.Double, dims, data);

    /// <summary>Adds an INT64 initializer.</summary>
    public OnnxModelBuilder Initializer(string name, long[] dims, ReadOnlySpan<long> data) =>
        AddInitializer(name, OnnxElementType.Int64, dims, data);

    /// <summary>Adds an INT32 initializer.</summary>
    public OnnxModelBuilder Initializer(string name, long[] dims, ReadOnlySpan<int> data) =>
        AddInitializer(name, OnnxElementType.Int32, dims, data);

    /// <summary>Adds an INT8 initializer.</summary>
    public OnnxModelBuilder Initializer(string name, long[] dims, ReadOnlySpan<sbyte> data) =>
        AddInitializer(name, OnnxElementType.Int8, dims, data);

    /// <summary>Adds a UINT8 initializer.</summary>
    public OnnxModelBuilder Initializer(string name, long[] dims, ReadOnlySpan<byte> data) =>
        AddInitializer(name, OnnxElementType.UInt8, dims, data);

    /// <summary>
    /// Adds a node. <paramref name="inputs"/> must name inputs, initializers or outputs of
    /// earlier nodes (an empty string skips an optional input); <paramref name="outputs"/>
    /// must be new names. Without a <paramref name="name"/> the node is named
    /// <c>{opType}_{index}</c>. A non-empty <paramref name="domain"/> must be imported with
    /// <see cref="Opset"/>.
    /// </summary>
    public OnnxModelBuilder Node(
        string opType,
        string[] inputs,
        string[] outputs,
        string? name = null,
        string domain = "",
        params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(attributes);
        if (outputs.Length == 0)
        {
            throw new ArgumentException($"Node '{opType}' needs at least one output.", nameof(outputs));
        }

        foreach (var input in inputs)
        {
            if (input is null || (input.Length > 0 && !_defined.Contains(input) && !_outer.Contains(input)))
            {
                throw new ArgumentException(
                    $"Node '{name ?? opType}' reads '{input}', which no input, initializer or earlier node defines.",
                    nameof(inputs));
            }
        }

        var attributeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            ArgumentNullException.ThrowIfNull(attribute, nameof(attributes));
            if (!attributeNames.Add(attribute.Name))
            {
                throw new ArgumentException($"Node '{name ?? opType}' has attribute '{attribute.Name}' twice.", nameof(attributes));
            }
        }

        foreach (var output in outputs)
        {
            Define(output);
        }

        var node = new NodeProto
        {
            OpType = opType,
            Name = name ?? $"{opType}_{_nodes.Count}",
            Domain = NormalizeDomain(domain),
        };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        foreach (var attribute in attributes)
        {
            node.Attribute.Add(attribute.Proto.Clone());
        }

        _nodes.Add(node);
        return this;
    }

    /// <summary>Sets a model <c>metadata_props</c> entry, replacing an earlier value of the same key.</summary>
    public OnnxModelBuilder Metadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        var existing = _metadata.Find(m => m.Key == key);
        if (existing is not null)
        {
            existing.Value = value;
        }
        else
        {
            _metadata.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return this;
    }

    /// <summary>
    /// Creates a temporary file in <paramref name="directory"/> to serve as an initializer store
    /// (<see cref="OnnxModelBuilder(string, long, Stream)"/>); the file is deleted when the
    /// stream is disposed. Put it on a disk, not in memory: it grows to the size of the weights.
    /// </summary>
    public static FileStream CreateInitializerStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var path = Path.Combine(Path.GetFullPath(directory), $".initializers-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }

    /// <summary>Serializes the model; the same builder calls always give the same bytes.</summary>
    /// <exception cref="InvalidOperationException">An output is never defined, or a node uses a domain that is not imported.</exception>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>
    /// Writes the model to <paramref name="destination"/>, copying the initializers from the
    /// store, so memory holds no more than the graph's structure and a copy buffer. The bytes
    /// are those of <see cref="ToBytes"/>; the builder can go on and write again.
    /// </summary>
    /// <exception cref="InvalidOperationException">An output is never defined, or a node uses a domain that is not imported.</exception>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var model = BuildProto();
        ProtoStreaming.WriteModel(destination, model, _initializerBytes, d => ProtoStreaming.Copy(_initializerStore, _storeStart, _initializerBytes, d));
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/> through a temporary file in the same
    /// directory and a rename, so a reader never sees a half-written model.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                WriteTo(stream);
                // Data must be on disk before the rename makes it visible, or a crash can leave an empty model.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            // Only left behind when writing or renaming failed.
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// Counts the parameters of a serialized model: the sum of the element counts of its graph
    /// initializers (weights kept in <c>Constant</c> nodes are not counted). Works for any
    /// model file, including one whose initializers live in external data.
    /// </summary>
    public static long CountParameters(ReadOnlySpan<byte> model)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        long count = 0;
        foreach (var initializer in proto.Graph?.Initializer ?? [])
        {
            count = checked(count + OnnxTensors.ElementCount(initializer.Dims.ToArray()));
        }

        return count;
    }

    /// <summary>The graph with its initializers, as a control-flow node's attribute holds it.</summary>
    internal GraphProto BuildGraph()
    {
        var graph = BuildProto().Graph;

        // The store holds the initializers as GraphProto field 5 records: read as a graph, they
        // are its initializer list.
        var stored = new byte[_initializerBytes];
        _initializerStore.Position = _storeStart;
        _initializerStore.ReadExactly(stored);
        graph.Initializer.Add(GraphProto.Parser.ParseFrom(stored).Initializer);
        return graph;
    }

    private ModelProto BuildProto()
    {
        foreach (var output in _outputs)
        {
            if (!_defined.Contains(output.Name) && !_outer.Contains(output.Name))
            {
                throw new InvalidOperationException($"Graph output '{output.Name}' is not produced by any node, input or initializer.");
            }
        }

        foreach (var node in _nodes)
        {
            if (!_opsets.Exists(o => o.Domain == node.Domain))
            {
                throw new InvalidOperationException($"Node '{node.Name}' uses domain '{node.Domain}', which is not imported; call Opset first.");
            }
        }

        // The initializers are in the store; ProtoStreaming puts them where field 5 goes.
        var graph = new GraphProto { Name = _graphName };
        graph.Node.Add(_nodes);
        graph.Input.Add(_inputs);
        graph.Output.Add(_outputs);

        var model = new ModelProto { IrVersion = IrVersion, ProducerName = ProducerName, Graph = graph };
        model.OpsetImport.Add(_opsets);
        model.MetadataProps.Add(_metadata);
        return model;
    }

    private OnnxModelBuilder AddInitializer<T>(string name, OnnxElementType type, long[] dims, ReadOnlySpan<T> data)
        where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var header = OnnxTensors.Header(name, type, dims, data.Length);
        Define(name);
        var raw = OnnxTensors.RawBytes(data);
        var record = ProtoStreaming.Initializer(header, raw.Length);
        _initializerStore.Position = _storeStart + _initializerBytes;
        record.WriteStart(_initializerStore);
        _initializerStore.Write(raw);
        record.WriteEnd(_initializerStore);
        _initializerBytes += record.Size;
        ParameterCount = checked(ParameterCount + data.Length);
        return this;
    }

    private void Define(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_defined.Add(name))
        {
            throw new ArgumentException($"'{name}' is already defined in graph '{_graphName}'; every name is defined once.", nameof(name));
        }
    }

    private static OnnxType TensorType(OnnxElementType type, OnnxDim[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (type == OnnxElementType.Undefined)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "A graph input or output needs an element type.");
        }

        return OnnxType.Tensor(type, dims);
    }

    // ONNX treats "ai.onnx" and "" as the same domain; write the canonical empty form.
    private static string NormalizeDomain(string domain) => domain == "ai.onnx" ? string.Empty : domain;
}
