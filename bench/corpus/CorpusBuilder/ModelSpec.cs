using System.Text.RegularExpressions;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Bench.Corpus;

/// <summary>
/// One model of the corpus: its graph (written by the product's <see cref="OnnxModelBuilder"/>),
/// its test data set, the canary settings it needs, and the outcome it should have. Records the
/// value types and shape kinds of its inputs and outputs as they are declared, for corpus.tsv.
/// </summary>
internal sealed partial class ModelSpec
{
    /// <summary>The ai.onnx.ml opset of the models that use that domain (ONNX 1.15+; ONNX Runtime runs up to 5).</summary>
    public const long MlOpset = 3;

    private readonly List<string> _valueTypes = [];
    private readonly List<string> _shapeKinds = [];
    private readonly List<Action<ModelProto>> _patches = [];

    public ModelSpec(string family, string name, long opset = OnnxModelBuilder.DefaultOpset)
    {
        Family = family;
        Name = name;
        Opset = opset;
        Graph = new OnnxModelBuilder($"{family}_{name}".Replace('-', '_'), opset);
    }

    public string Family { get; }

    public string Name { get; }

    public long Opset { get; }

    public string Folder => $"{Family}-{Name}";

    public OnnxModelBuilder Graph { get; }

    public List<TestValue> Inputs { get; } = [];

    public List<TestValue> Outputs { get; } = [];

    /// <summary>Values of symbolic dimensions the canary is given (<c>Inputs:name</c>).</summary>
    public SortedDictionary<string, long> Dimensions { get; } = new(StringComparer.Ordinal);

    /// <summary>What the run should give and why, for corpus.tsv.</summary>
    public string Expected { get; private set; } = "ok";

    /// <summary>Turns the written bytes into a broken file (invalid-by-construction models).</summary>
    public Func<byte[], byte[]>? Corrupt { get; set; }

    public string ValueTypes => _valueTypes.Count == 0 ? "-" : string.Join(' ', _valueTypes.Distinct());

    public string ShapeKind => _shapeKinds.Count == 0 ? "no-inputs" : string.Join('+', _shapeKinds.Distinct());

    public string TestData => Inputs.Count == 0 ? "none" : Outputs.Count == 0 ? "inputs" : "inputs+outputs";

    public ModelSpec In(string name, OnnxElementType type, params OnnxDim[] dims)
    {
        Graph.Input(name, type, dims);
        NoteType(OnnxType.Tensor(type, dims));
        _shapeKinds.Add(Kind(dims));
        return this;
    }

    /// <summary>An input of any type; <paramref name="dims"/> are those of its innermost tensor (for the shape kind only).</summary>
    public ModelSpec In(string name, OnnxType type, params OnnxDim[] dims)
    {
        Graph.Input(name, type);
        NoteType(type);
        _shapeKinds.Add(type.ToString().StartsWith("tensor", StringComparison.Ordinal) && !type.ToString().Contains('[', StringComparison.Ordinal) ? "any-rank" : Kind(dims));
        return this;
    }

    public ModelSpec Out(string name, OnnxElementType type, params OnnxDim[] dims)
    {
        Graph.Output(name, type, dims);
        NoteType(OnnxType.Tensor(type, dims));
        return this;
    }

    public ModelSpec Out(string name, OnnxType type)
    {
        Graph.Output(name, type);
        NoteType(type);
        return this;
    }

    public ModelSpec Op(string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        Graph.Node(op, inputs, outputs, attributes: attributes);
        return this;
    }

    /// <summary>A named node, for <see cref="StringsAttribute"/>.</summary>
    public ModelSpec Named(string name, string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        Graph.Node(op, inputs, outputs, name, attributes: attributes);
        return this;
    }

    /// <summary>A node of the ai.onnx.ml domain, imported at <see cref="MlOpset"/>.</summary>
    public ModelSpec Ml(string name, string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes) =>
        Domain("ai.onnx.ml", MlOpset, name, op, inputs, outputs, attributes);

    public ModelSpec Domain(string domain, long version, string name, string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        Graph.Opset(domain, version);
        Graph.Node(op, inputs, outputs, name, domain, attributes);
        return this;
    }

    public ModelSpec Init(string name, Nd value)
    {
        _ = value.Type switch
        {
            OnnxElementType.Float => Graph.Initializer(name, value.Shape, value.Floats()),
            OnnxElementType.Float16 => Graph.Initializer(name, value.Shape, value.Halves()),
            OnnxElementType.Double => Graph.Initializer(name, value.Shape, value.Doubles()),
            OnnxElementType.Int64 => Graph.Initializer(name, value.Shape, value.Longs()),
            OnnxElementType.Int32 => Graph.Initializer(name, value.Shape, value.Ints()),
            OnnxElementType.Int8 => Graph.Initializer(name, value.Shape, value.SBytes()),
            OnnxElementType.UInt8 => Graph.Initializer(name, value.Shape, value.Bytes()),
            _ => throw new NotSupportedException($"{Folder}: no initializer of {value.Type}"),
        };
        return this;
    }

    public ModelSpec Init(string name, params long[] values) => Init(name, Nd.Vector(OnnxElementType.Int64, [.. values.Select(v => (double)v)]));

    public ModelSpec Feed(string name, Nd value) => Feed(TestValue.Tensor(name, value));

    public ModelSpec Feed(TestValue value)
    {
        Inputs.Add(value);
        return this;
    }

    public ModelSpec Expect(string name, Nd value) => Expect(TestValue.Tensor(name, value));

    public ModelSpec Expect(TestValue value)
    {
        Outputs.Add(value);
        return this;
    }

    public ModelSpec Dim(string symbol, long size)
    {
        Dimensions[symbol] = size;
        return this;
    }

    public ModelSpec Expecting(string note)
    {
        Expected = note;
        return this;
    }

    /// <summary>Adds a list-of-strings attribute to the node named <paramref name="node"/> (the builder writes single strings only).</summary>
    public ModelSpec StringsAttribute(string node, string attribute, params string[] values)
    {
        _patches.Add(model => Find(model.Graph, node).Attribute.Add(OwnProto.Strings(attribute, values)));
        return this;
    }

    public ModelSpec Patch(Action<ModelProto> patch)
    {
        _patches.Add(patch);
        return this;
    }

    public byte[] Build()
    {
        var bytes = Graph.ToBytes();
        if (_patches.Count > 0)
        {
            var model = ModelProto.Parser.ParseFrom(bytes);
            foreach (var patch in _patches)
            {
                patch(model);
            }

            bytes = Google.Protobuf.MessageExtensions.ToByteArray(model);
        }

        return Corrupt is null ? bytes : Corrupt(bytes);
    }

    private static NodeProto Find(GraphProto graph, string name) =>
        graph.Node.FirstOrDefault(n => n.Name == name) ?? throw new InvalidOperationException($"no node named {name}");

    private void NoteType(OnnxType type) =>
        _valueTypes.Add(Shape().Replace(type.ToString(), string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant());

    // scalar, fixed, batch (only the first dimension symbolic), symbolic (another named one), unnamed.
    private static string Kind(OnnxDim[] dims)
    {
        if (dims.Length == 0)
        {
            return "scalar";
        }

        if (dims.Any(d => d.Size is null && d.Symbol is null))
        {
            return "unnamed";
        }

        if (dims.Skip(1).Any(d => d.Symbol is not null))
        {
            return "symbolic";
        }

        return dims[0].Symbol is not null ? "batch" : "fixed";
    }

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Shape();
}
