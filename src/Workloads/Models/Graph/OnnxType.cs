using System.Globalization;
using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Models.Graph;

/// <summary>
/// The type of a graph input or output (<c>TypeProto</c>): a tensor of an element type and
/// shape, or a sequence, optional or map built from other types. Immutable.
/// </summary>
public sealed class OnnxType
{
    private readonly string _text;

    private OnnxType(TypeProto proto, string text)
    {
        Proto = proto;
        _text = text;
    }

    internal TypeProto Proto { get; }

    /// <summary>A tensor of <paramref name="element"/> with the given dimensions (none: a scalar).</summary>
    public static OnnxType Tensor(OnnxElementType element, params OnnxDim[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        CheckElement(element);

        // An empty shape message (not a missing one) is what declares a scalar.
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            var d = new TensorShapeProto.Types.Dimension();
            if (dim.Size is { } size)
            {
                d.DimValue = size;
            }
            else if (dim.Symbol is { } symbol)
            {
                d.DimParam = symbol;
            }

            shape.Dim.Add(d);
        }

        return new OnnxType(
            new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)element, Shape = shape } },
            string.Create(CultureInfo.InvariantCulture, $"tensor({element})[{string.Join(", ", dims)}]"));
    }

    /// <summary>A tensor of <paramref name="element"/> whose rank is not declared.</summary>
    public static OnnxType TensorOfAnyShape(OnnxElementType element)
    {
        CheckElement(element);
        return new OnnxType(new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)element } }, $"tensor({element})");
    }

    /// <summary>A sequence whose elements are of type <paramref name="element"/>.</summary>
    public static OnnxType Sequence(OnnxType element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new OnnxType(new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = element.Proto.Clone() } }, $"seq({element})");
    }

    /// <summary>An optional value of type <paramref name="element"/> (present or not).</summary>
    public static OnnxType Optional(OnnxType element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new OnnxType(new TypeProto { OptionalType = new TypeProto.Types.Optional { ElemType = element.Proto.Clone() } }, $"optional({element})");
    }

    /// <summary>A map from <paramref name="key"/> (an integer type or string) to values of type <paramref name="value"/>.</summary>
    public static OnnxType Map(OnnxElementType key, OnnxType value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (key is not (OnnxElementType.String or OnnxElementType.Int64 or OnnxElementType.Int32 or OnnxElementType.Int16 or OnnxElementType.Int8
            or OnnxElementType.UInt64 or OnnxElementType.UInt32 or OnnxElementType.UInt16 or OnnxElementType.UInt8))
        {
            throw new ArgumentOutOfRangeException(nameof(key), key, "A map key is an integer type or string.");
        }

        return new OnnxType(new TypeProto { MapType = new TypeProto.Types.Map { KeyType = (int)key, ValueType = value.Proto.Clone() } }, $"map({key}, {value})");
    }

    /// <summary>The type as ONNX writes it, e.g. <c>seq(tensor(Float)[N, 3])</c>.</summary>
    public override string ToString() => _text;

    private static void CheckElement(OnnxElementType element)
    {
        if (element == OnnxElementType.Undefined || !Enum.IsDefined(element))
        {
            throw new ArgumentOutOfRangeException(nameof(element), element, "A tensor needs an element type.");
        }
    }
}
