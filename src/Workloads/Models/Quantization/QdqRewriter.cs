using System.Runtime.InteropServices;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>
/// Rewrites a graph into QDQ form, naming new tensors as onnxruntime.quantization does
/// (<c>{name}_quantized</c>, <c>_scale</c>, <c>_zero_point</c>, <c>_QuantizeLinear_Output</c>,
/// <c>_DequantizeLinear_Output</c>):
/// <list type="bullet">
/// <item>a weight becomes an integer initializer and a DequantizeLinear (per-channel scale, <c>axis</c>);</item>
/// <item>a bias becomes int32 with scale <c>input scale × weight scale</c> and a DequantizeLinear;</item>
/// <item>an activation gets a QuantizeLinear → DequantizeLinear pair that every consumer reads.</item>
/// </list>
/// An activation produced by a node keeps its name on the DequantizeLinear output and the
/// producer writes a renamed tensor instead, so graph outputs and readers inside subgraphs
/// stay valid, and the producer's only consumer is the QuantizeLinear, as ONNX Runtime's
/// fusion requires.
/// </summary>
internal sealed class QdqRewriter
{
    private readonly GraphProto _graph;
    private readonly OnnxModelFile? _data;
    private readonly QuantizationOptions _options;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly List<TensorProto> _newInitializers = [];
    private readonly List<NodeProto> _prefix = [];
    private readonly Dictionary<NodeProto, List<NodeProto>> _after = new(ReferenceEqualityComparer.Instance);
    // Only the scales are kept: a bias needs them, and the integer values (four bytes per weight
    // element, 340 MB for bert-base) are in the new initializer already.
    private readonly Dictionary<(string Name, int Axis, float Multiplier), (string Output, float[] Scales)> _weights = [];
    private float[] _values = [];
    private int[] _integers = [];
    private byte[] _bytes = [];

    private QdqRewriter(GraphProto graph, OnnxModelFile? data, QuantizationOptions options)
    {
        _graph = graph;
        _data = data;
        _options = options;
        foreach (var initializer in graph.Initializer)
        {
            _initializers[initializer.Name] = initializer;
            _names.Add(initializer.Name);
        }

        foreach (var node in graph.Node)
        {
            _names.UnionWith(node.Output);
            _names.UnionWith(node.Input);
            _names.Add(node.Name);
        }

        _names.UnionWith(graph.Input.Select(i => i.Name));
        _names.UnionWith(graph.Output.Select(o => o.Name));
        _names.UnionWith(graph.ValueInfo.Select(v => v.Name));
    }

    /// <summary>
    /// Rewrites <paramref name="graph"/>; weights and biases are read through <paramref name="data"/>
    /// when it deferred them (the graph is then its model's), from the graph's messages otherwise.
    /// </summary>
    public static void Apply(
        GraphProto graph,
        IReadOnlyList<NodeQuantization> nodes,
        IReadOnlyDictionary<string, QuantizationParameters> activations,
        QuantizationOptions options,
        OnnxModelFile? data = null)
    {
        var rewriter = new QdqRewriter(graph, data, options);
        foreach (var tensor in nodes.SelectMany(n => n.Tensors).Distinct(StringComparer.Ordinal))
        {
            rewriter.QuantizeActivation(tensor, activations[tensor]);
        }

        foreach (var node in nodes)
        {
            float[]? weightScales = null;
            if (node.Weight is { } w)
            {
                (node.Node.Input[w.Input], weightScales) = rewriter.QuantizeWeight(w.Name, w.Axis, w.Multiplier);
                if (w.Multiplier != 1f)
                {
                    // alpha is now inside the weight: ONNX Runtime fuses a Gemm into QGemm only with alpha 1.
                    SetFloat(node.Node, "alpha", 1f);
                }
            }

            if (node.Bias is { } b && weightScales is not null)
            {
                var inputScale = activations[node.Activations[0].Tensor].Scale;
                node.Node.Input[b.Input] = rewriter.QuantizeBias(b.Name, b.Multiplier, inputScale, weightScales);
                if (b.Multiplier != 1f)
                {
                    // beta is now inside the bias.
                    SetFloat(node.Node, "beta", 1f);
                }
            }
        }

        rewriter.Finish(nodes);
    }

    private void QuantizeActivation(string tensor, QuantizationParameters parameters)
    {
        var type = _options.ActivationType;
        var scale = AddInitializer(OnnxTensors.Create(Unique($"{tensor}_scale"), OnnxElementType.Float, [], [parameters.Scale]));
        var zeroPoint = AddInitializer(Integers(Unique($"{tensor}_zero_point"), type, [], [parameters.ZeroPoint]));
        var quantized = Unique($"{tensor}_QuantizeLinear_Output");

        var producer = _graph.Node.FirstOrDefault(n => n.Output.Contains(tensor));
        if (producer is not null)
        {
            var input = Unique($"{tensor}_QuantizeLinear_Input");
            producer.Output[producer.Output.IndexOf(tensor)] = input;
            if (!_after.TryGetValue(producer, out var after))
            {
                _after[producer] = after = [];
            }

            after.Add(Node("QuantizeLinear", $"{tensor}_QuantizeLinear", [input, scale, zeroPoint], quantized));
            after.Add(Node("DequantizeLinear", $"{tensor}_DequantizeLinear", [quantized, scale, zeroPoint], tensor));
            return;
        }

        // A graph input has no producer to rename, so its readers move to the DequantizeLinear output.
        var dequantized = Unique($"{tensor}_DequantizeLinear_Output");
        foreach (var node in _graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == tensor)
                {
                    node.Input[i] = dequantized;
                }
            }
        }

        _prefix.Add(Node("QuantizeLinear", $"{tensor}_QuantizeLinear", [tensor, scale, zeroPoint], quantized));
        _prefix.Add(Node("DequantizeLinear", $"{tensor}_DequantizeLinear", [quantized, scale, zeroPoint], dequantized));
    }

    private (string Output, float[] Scales) QuantizeWeight(string name, int axis, float multiplier)
    {
        if (_weights.TryGetValue((name, axis, multiplier), out var done))
        {
            return done;
        }

        var source = _initializers[name];
        var dims = source.Dims.ToArray();
        // One buffer for every weight's floats and one for its integers: each weight is garbage as
        // soon as its initializer is made, and an array per weight (large-object heap) would pile up.
        var count = checked((int)FloatInitializer.Count(source));
        if (_values.Length < count)
        {
            _values = new float[count];
        }

        var values = _values.AsSpan(0, count);
        FloatInitializer.Read(source, _data, values);
        if (multiplier != 1f)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] *= multiplier;
            }
        }

        if (_integers.Length < count)
        {
            _integers = new int[count];
        }

        var integers = _integers.AsSpan(0, count);
        var (scales, zeroPoints) = QuantizationMath.QuantizeWeight(values, dims, axis, _options.WeightType, _options.ReduceRange, integers);
        long[] paramShape = axis == QuantizedWeight.PerTensor ? [] : [dims[axis]];
        var quantized = AddInitializer(Integers(Unique($"{name}_quantized"), _options.WeightType, dims, integers));
        var scale = AddInitializer(OnnxTensors.Create(Unique($"{name}_scale"), OnnxElementType.Float, paramShape, scales.AsSpan()));
        var zeroPoint = AddInitializer(Integers(Unique($"{name}_zero_point"), _options.WeightType, paramShape, zeroPoints));
        var output = Unique($"{name}_DequantizeLinear_Output");
        _prefix.Add(Node("DequantizeLinear", $"{name}_DequantizeLinear", [quantized, scale, zeroPoint], output, axis));
        _weights[(name, axis, multiplier)] = (output, scales);
        return (output, scales);
    }

    private string QuantizeBias(string name, float multiplier, float inputScale, float[] weightScales)
    {
        var (values, scales) = QuantizationMath.QuantizeBias(FloatInitializer.Read(_initializers[name], _data), multiplier, inputScale, weightScales);
        long[] paramShape = scales.Length == 1 ? [] : [scales.Length];
        var quantized = AddInitializer(Integers(Unique($"{name}_quantized"), OnnxElementType.Int32, [values.Length], values));
        var scale = AddInitializer(OnnxTensors.Create(Unique($"{name}_scale"), OnnxElementType.Float, paramShape, scales.AsSpan()));
        var output = Unique($"{name}_DequantizeLinear_Output");
        // An int32 DequantizeLinear without a zero point uses 0, the only one QLinearConv and QGemm accept.
        _prefix.Add(Node("DequantizeLinear", $"{name}_DequantizeLinear", [quantized, scale], output, scales.Length == 1 ? QuantizedWeight.PerTensor : 0));
        return output;
    }

    private void Finish(IReadOnlyList<NodeQuantization> nodes)
    {
        var nodesInOrder = new List<NodeProto>(_prefix);
        foreach (var node in _graph.Node)
        {
            nodesInOrder.Add(node);
            if (_after.TryGetValue(node, out var after))
            {
                nodesInOrder.AddRange(after);
            }
        }

        _graph.Node.Clear();
        _graph.Node.Add(nodesInOrder);

        // A subgraph (If, Loop, Scan) may read an outer initializer by name, and this subset of
        // onnx.proto cannot look inside one, so with subgraphs every original initializer stays.
        var hasSubgraphs = nodesInOrder.Any(n => n.Attribute.Any(a =>
            a.Type is AttributeProto.Types.AttributeType.Graph or AttributeProto.Types.AttributeType.Graphs));
        if (!hasSubgraphs)
        {
            var replaced = nodes
                .SelectMany(n => new[] { n.Weight?.Name, n.Bias?.Name })
                .OfType<string>()
                .ToHashSet(StringComparer.Ordinal);
            var used = nodesInOrder.SelectMany(n => n.Input).Concat(_graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
            var unused = _graph.Initializer.Where(i => replaced.Contains(i.Name) && !used.Contains(i.Name)).ToList();
            foreach (var initializer in unused)
            {
                _graph.Initializer.Remove(initializer);
            }
        }

        _graph.Initializer.Add(_newInitializers);
    }

    private string AddInitializer(TensorProto tensor)
    {
        _newInitializers.Add(tensor);
        return tensor.Name;
    }

    private NodeProto Node(string opType, string name, string[] inputs, string output, int axis = QuantizedWeight.PerTensor)
    {
        var node = new NodeProto { OpType = opType, Name = Unique(name) };
        node.Input.Add(inputs);
        node.Output.Add(output);
        if (axis != QuantizedWeight.PerTensor)
        {
            node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis });
        }

        return node;
    }

    private string Unique(string name)
    {
        var candidate = name;
        for (var i = 1; !_names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }

    private static void SetFloat(NodeProto node, string name, float value)
    {
        var attribute = node.Attribute.FirstOrDefault(a => a.Name == name);
        if (attribute is null)
        {
            node.Attribute.Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });
        }
        else
        {
            attribute.F = value;
        }
    }

    // The narrowed values go through one reused buffer, since OnnxTensors.Create copies them anyway.
    private TensorProto Integers(string name, OnnxElementType type, long[] dims, ReadOnlySpan<int> values)
    {
        if (type == OnnxElementType.Int32)
        {
            return OnnxTensors.Create(name, type, dims, values);
        }

        if (type is not (OnnxElementType.Int8 or OnnxElementType.UInt8))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Quantized tensors are Int8, UInt8 or Int32.");
        }

        if (_bytes.Length < values.Length)
        {
            _bytes = new byte[values.Length];
        }

        var bytes = _bytes.AsSpan(0, values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            bytes[i] = type == OnnxElementType.Int8 ? unchecked((byte)checked((sbyte)values[i])) : checked((byte)values[i]);
        }

        return type == OnnxElementType.Int8
            ? OnnxTensors.Create(name, type, dims, MemoryMarshal.Cast<byte, sbyte>(bytes))
            : OnnxTensors.Create(name, type, dims, (ReadOnlySpan<byte>)bytes);
    }
}
