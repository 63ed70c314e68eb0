using System.Diagnostics.CodeAnalysis;
using System.Text;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;

namespace BenchDaemon.Workloads.Models.Graph;

/// <summary>
/// A named attribute of a graph node (for example <c>axis</c>, <c>to</c>, <c>value</c>),
/// created through the factory method for its type. Immutable; one instance may be given to
/// several nodes.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "An ONNX node attribute (AttributeProto), not a .NET attribute.")]
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Factory methods are named after the ONNX attribute types (INT, FLOAT, STRING...).")]
public sealed class OnnxAttribute
{
    private OnnxAttribute(AttributeProto proto) => Proto = proto;

    /// <summary>The attribute name, as the operator's schema spells it.</summary>
    public string Name => Proto.Name;

    internal AttributeProto Proto { get; }

    public static OnnxAttribute Int(string name, long value) =>
        Create(name, AttributeProto.Types.AttributeType.Int, a => a.I = value);

    public static OnnxAttribute Float(string name, float value) =>
        Create(name, AttributeProto.Types.AttributeType.Float, a => a.F = value);

    public static OnnxAttribute String(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Create(name, AttributeProto.Types.AttributeType.String, a => a.S = ByteString.CopyFrom(value, Encoding.UTF8));
    }

    public static OnnxAttribute Ints(string name, params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Create(name, AttributeProto.Types.AttributeType.Ints, a => a.Ints.Add(values));
    }

    public static OnnxAttribute Floats(string name, params float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Create(name, AttributeProto.Types.AttributeType.Floats, a => a.Floats.Add(values));
    }

    /// <summary>An element-type attribute, such as <c>to</c> of <c>Cast</c> (an INT holding the type number).</summary>
    public static OnnxAttribute ElementType(string name, OnnxElementType type) => Int(name, (long)type);

    public static OnnxAttribute Tensor(string name, long[] dims, ReadOnlySpan<float> data) =>
        Tensor(name, OnnxTensors.Create(string.Empty, OnnxElementType.Float, dims, data));

    public static OnnxAttribute Tensor(string name, long[] dims, ReadOnlySpan<Half> data) =>
        Tensor(name, OnnxTensors.Create(string.Empty, OnnxElementType.Float16, dims, data));

    public static OnnxAttribute Tensor(string name, long[] dims, ReadOnlySpan<double> data) =>
        Tensor(name, OnnxTensors.Create(string.Empty, OnnxElementType.Double, dims, data));

    public static OnnxAttribute Tensor(string name, long[] dims, ReadOnlySpan<long> data) =>
        Tensor(name, OnnxTensors.Create(string.Empty, OnnxElementType.Int64, dims, data));

    public static OnnxAttribute Tensor(string name, long[] dims, ReadOnlySpan<int> data) =>
        Tensor(name, OnnxTensors.Create(string.Empty, OnnxElementType.Int32, dims, data));

    public static OnnxAttribute Tensor(string name, long[] dims, ReadOnlySpan<sbyte> data) =>
        Tensor(name, OnnxTensors.Create(string.Empty, OnnxElementType.Int8, dims, data));

    public static OnnxAttribute Tensor(string name, long[] dims, ReadOnlySpan<byte> data) =>
        Tensor(name, OnnxTensors.Create(string.Empty, OnnxElementType.UInt8, dims, data));

    /// <summary>A graph attribute: the body of a control-flow node (<see cref="OnnxModelBuilder.Subgraph"/>).</summary>
    public static OnnxAttribute Graph(string name, OnnxModelBuilder body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var graph = body.BuildGraph();
        return Create(name, AttributeProto.Types.AttributeType.Graph, a => a.G = graph);
    }

    /// <summary>A type attribute, such as <c>type</c> of an <c>Optional</c> that holds no value.</summary>
    public static OnnxAttribute Type(string name, OnnxType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Create(name, AttributeProto.Types.AttributeType.TypeProto, a => a.Tp = type.Proto.Clone());
    }

    public override string ToString() => $"{Name}: {Proto.Type}";

    private static OnnxAttribute Tensor(string name, TensorProto tensor) =>
        Create(name, AttributeProto.Types.AttributeType.Tensor, a => a.T = tensor);

    private static OnnxAttribute Create(string name, AttributeProto.Types.AttributeType type, Action<AttributeProto> set)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var proto = new AttributeProto { Name = name, Type = type };
        set(proto);
        return new OnnxAttribute(proto);
    }
}
