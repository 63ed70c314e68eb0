using System.Globalization;
using System.Runtime.InteropServices;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// An ONNX value held in managed memory: what a test data set's <c>.pb</c> file stores and what
/// a run's output is copied into to compare them. Tensors keep little-endian element bytes
/// (strings as strings); sequences, optionals and maps hold other values.
/// </summary>
internal abstract record OnnxData
{
    /// <summary>The type as a user reads it: <c>tensor(Float)[2, 3]</c>, <c>seq(…)</c>.</summary>
    public abstract string Describe();

    /// <summary>
    /// A new OrtValue holding this value, or null for an optional that is absent (the input is
    /// then not fed, which is how ONNX Runtime receives "none"); the caller disposes it.
    /// </summary>
    public OrtValue? ToOrtValue()
    {
        switch (this)
        {
            case TensorData tensor:
                return tensor.CreateTensor();
            case OptionalData optional:
                return optional.Value?.ToOrtValue();
            case SequenceData sequence:
                return OrtValues.Sequence(sequence.Items.Count, i => sequence.Items[i].ToOrtValue() ?? throw new CanaryInputException("a sequence element cannot be an absent optional"));
            case MapData map:
                return OrtValues.Map(map.Keys.CreateTensor, () => map.Values.ToOrtValue() ?? throw new CanaryInputException("a map's values cannot be an absent optional"));

            default:
                throw new CanaryInputException($"{Describe()} cannot be fed to a model");
        }
    }

    /// <summary>Reads a value from a serialized proto of the kind the graph declares for it.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a value of that kind.</exception>
    public static OnnxData Parse(ReadOnlySpan<byte> bytes, NodeMetadata declared, string origin)
    {
        ArgumentNullException.ThrowIfNull(declared);
        try
        {
            return declared.OnnxValueType switch
            {
                OnnxValueType.ONNX_TYPE_TENSOR => FromProto(TensorProto.Parser.ParseFrom(bytes), origin),
                OnnxValueType.ONNX_TYPE_SEQUENCE => FromProto(SequenceProto.Parser.ParseFrom(bytes), origin),
                OnnxValueType.ONNX_TYPE_OPTIONAL => FromProto(OptionalProto.Parser.ParseFrom(bytes), origin),
                OnnxValueType.ONNX_TYPE_MAP => FromProto(MapProto.Parser.ParseFrom(bytes), origin),
                var other => throw new InvalidDataException($"{origin}: values of type {other} cannot be read from a .pb file"),
            };
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"{origin} is not a serialized ONNX {Kind(declared.OnnxValueType)}: {ex.Message}", ex);
        }
    }

    /// <summary>The name stored in a serialized tensor, sequence, optional or map (empty when none), without its data.</summary>
    public static string StoredName(ReadOnlySpan<byte> bytes, OnnxValueType kind)
    {
        try
        {
            return kind switch
            {
                OnnxValueType.ONNX_TYPE_TENSOR => TensorProto.Parser.ParseFrom(bytes).Name,
                OnnxValueType.ONNX_TYPE_SEQUENCE => SequenceProto.Parser.ParseFrom(bytes).Name,
                OnnxValueType.ONNX_TYPE_OPTIONAL => OptionalProto.Parser.ParseFrom(bytes).Name,
                OnnxValueType.ONNX_TYPE_MAP => MapProto.Parser.ParseFrom(bytes).Name,
                _ => string.Empty,
            };
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return string.Empty;
        }
    }

    /// <summary>Copies a run's value (a tensor, sequence, map or optional) into managed memory.</summary>
    public static OnnxData FromOrtValue(OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value.OnnxType)
        {
            case OnnxValueType.ONNX_TYPE_TENSOR:
                var info = value.GetTensorTypeAndShape();
                if (info.ElementDataType == TensorElementType.String)
                {
                    return new TensorData(TensorElementType.String, info.Shape, [], value.GetStringTensorAsArray());
                }

                return new TensorData(info.ElementDataType, info.Shape, value.GetTensorDataAsSpan<byte>().ToArray(), null);
            case OnnxValueType.ONNX_TYPE_SEQUENCE:
                var items = new List<OnnxData>();
                var count = value.GetValueCount();
                for (var i = 0; i < count; i++)
                {
                    using var item = value.GetValue(i, OrtAllocator.DefaultInstance);
                    items.Add(FromOrtValue(item));
                }

                return new SequenceData(items);
            case OnnxValueType.ONNX_TYPE_MAP:
                using (var keys = value.GetValue(0, OrtAllocator.DefaultInstance))
                using (var values = value.GetValue(1, OrtAllocator.DefaultInstance))
                {
                    return new MapData((TensorData)FromOrtValue(keys), FromOrtValue(values));
                }

            default:
                throw new CanaryInputException($"a value of type {value.OnnxType} cannot be read back");
        }
    }

    private static string Kind(OnnxValueType type) => type switch
    {
        OnnxValueType.ONNX_TYPE_TENSOR => "tensor (TensorProto)",
        OnnxValueType.ONNX_TYPE_SEQUENCE => "sequence (SequenceProto)",
        OnnxValueType.ONNX_TYPE_OPTIONAL => "optional (OptionalProto)",
        OnnxValueType.ONNX_TYPE_MAP => "map (MapProto)",
        _ => type.ToString(),
    };

    private static TensorData FromProto(TensorProto tensor, string origin)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new InvalidDataException($"{origin} keeps its data in an external file, which test data cannot");
        }

        var type = (TensorElementType)tensor.DataType;
        var shape = tensor.Dims.ToArray();
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new InvalidDataException($"{origin} has a negative dimension {d}");
            }

            count = checked(count * d);
        }

        if (type == TensorElementType.String)
        {
            if (tensor.StringData.Count != count)
            {
                throw new InvalidDataException($"{origin} holds {tensor.StringData.Count} strings for shape [{string.Join(", ", shape)}]");
            }

            return new TensorData(type, shape, [], [.. tensor.StringData.Select(s => s.ToStringUtf8())]);
        }

        var size = ElementSize(type) ?? throw new InvalidDataException($"{origin} has element type {type}, which is not supported in test data");
        var bytes = checked((int)(count * size));
        byte[] raw;
        if (!tensor.RawData.IsEmpty)
        {
            raw = tensor.RawData.ToByteArray();
        }
        else
        {
            // The typed fields: float_data for FLOAT and COMPLEX64, double_data for DOUBLE and
            // COMPLEX128, int64_data for INT64, uint64_data for UINT32/UINT64, and int32_data
            // for every narrower type (FLOAT16 and BFLOAT16 as their bit patterns).
            raw = new byte[bytes];
            var span = raw.AsSpan();
            switch (type)
            {
                case TensorElementType.Float:
                    MemoryMarshal.AsBytes(tensor.FloatData.ToArray().AsSpan()).CopyTo(span);
                    break;
                case TensorElementType.Double:
                    MemoryMarshal.AsBytes(tensor.DoubleData.ToArray().AsSpan()).CopyTo(span);
                    break;
                case TensorElementType.Int64:
                    MemoryMarshal.AsBytes(tensor.Int64Data.ToArray().AsSpan()).CopyTo(span);
                    break;
                case TensorElementType.UInt64:
                    MemoryMarshal.AsBytes(tensor.Uint64Data.ToArray().AsSpan()).CopyTo(span);
                    break;
                case TensorElementType.UInt32:
                    MemoryMarshal.AsBytes(tensor.Uint64Data.Select(v => (uint)v).ToArray().AsSpan()).CopyTo(span);
                    break;
                case TensorElementType.Int32:
                    MemoryMarshal.AsBytes(tensor.Int32Data.ToArray().AsSpan()).CopyTo(span);
                    break;
                default:
                    var values = tensor.Int32Data;
                    if (values.Count != count)
                    {
                        throw new InvalidDataException($"{origin} holds {values.Count} values for shape [{string.Join(", ", shape)}]");
                    }

                    for (var i = 0; i < values.Count; i++)
                    {
                        var v = values[i];
                        switch (size)
                        {
                            case 1:
                                raw[i] = (byte)v;
                                break;
                            case 2:
                                BitConverter.TryWriteBytes(span.Slice(i * 2, 2), (ushort)v);
                                break;
                            default:
                                throw new InvalidDataException($"{origin}: {type} cannot be read from int32_data");
                        }
                    }

                    break;
            }
        }

        if (raw.Length != bytes)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{origin} holds {raw.Length} bytes where shape [{string.Join(", ", shape)}] of {type} needs {bytes}"));
        }

        return new TensorData(type, shape, raw, null);
    }

    private static SequenceData FromProto(SequenceProto sequence, string origin)
    {
        var items = new List<OnnxData>();
        items.AddRange(sequence.TensorValues.Select((t, i) => FromProto(t, $"{origin} element {i}")));
        items.AddRange(sequence.SequenceValues.Select((s, i) => FromProto(s, $"{origin} element {i}")));
        items.AddRange(sequence.MapValues.Select((m, i) => FromProto(m, $"{origin} element {i}")));
        items.AddRange(sequence.OptionalValues.Select((o, i) => FromProto(o, $"{origin} element {i}")));
        return new SequenceData(items);
    }

    private static OptionalData FromProto(OptionalProto optional, string origin) =>
        new(optional.TensorValue is { } t ? FromProto(t, origin)
            : optional.SequenceValue is { } s ? FromProto(s, origin)
            : optional.MapValue is { } m ? FromProto(m, origin)
            : optional.OptionalValue is { } o ? FromProto(o, origin)
            : null);

    private static MapData FromProto(MapProto map, string origin)
    {
        var keyType = (TensorElementType)map.KeyType;
        TensorData keys = keyType == TensorElementType.String
            ? new TensorData(keyType, [map.StringKeys.Count], [], [.. map.StringKeys.Select(k => k.ToStringUtf8())])
            : new TensorData(TensorElementType.Int64, [map.Keys.Count], MemoryMarshal.AsBytes(map.Keys.ToArray().AsSpan()).ToArray(), null);
        var values = map.Values is { } v ? FromProto(v, origin) : new SequenceData([]);

        // A map's values are one tensor in ONNX Runtime: the sequence's tensors, joined.
        if (values.Items.Count == 1 && values.Items[0] is TensorData joined)
        {
            return new MapData(keys, joined);
        }

        if (values.Items.All(i => i is TensorData { Shape.Length: 0 }))
        {
            var scalars = values.Items.Cast<TensorData>().ToList();
            var type = scalars.Count > 0 ? scalars[0].Type : TensorElementType.Float;
            return new MapData(keys, new TensorData(type, [scalars.Count], [.. scalars.SelectMany(s => s.Raw)], type == TensorElementType.String ? [.. scalars.SelectMany(s => s.Strings!)] : null));
        }

        throw new InvalidDataException($"{origin}: map values must be one tensor or scalars");
    }

    /// <summary>Bytes per element of a fixed-size element type, or null.</summary>
    public static int? ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Complex64 => 8,
        TensorElementType.Complex128 => 16,
        TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        TensorElementType.Int8 or TensorElementType.UInt8 or TensorElementType.Bool => 1,
        _ => null,
    };
}

/// <summary>A tensor: element type, shape and little-endian element bytes, or strings for a string tensor.</summary>
internal sealed record TensorData(TensorElementType Type, long[] Shape, byte[] Raw, string[]? Strings) : OnnxData
{
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);

    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"tensor({Type})[{string.Join(", ", Shape)}]");

    /// <summary>A new tensor OrtValue holding this data (string tensors too); the caller disposes it.</summary>
    public OrtValue CreateTensor()
    {
        if (Type == TensorElementType.String)
        {
            var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, Shape);
            try
            {
                for (var i = 0; i < Strings!.Length; i++)
                {
                    strings.StringTensorSetElementAt(Strings[i].AsSpan(), i);
                }

                return strings;
            }
            catch
            {
                strings.Dispose();
                throw;
            }
        }

        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Type, Shape);
        Raw.CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    /// <summary>This batch-1 tensor repeated along its first dimension to <paramref name="batch"/>.</summary>
    public TensorData Repeat(int batch)
    {
        var shape = (long[])Shape.Clone();
        shape[0] = batch;
        var raw = new byte[Raw.Length * batch];
        for (var b = 0; b < batch; b++)
        {
            Raw.CopyTo(raw, b * Raw.Length);
        }

        string[]? strings = Strings is null ? null : [.. Enumerable.Repeat(Strings, batch).SelectMany(s => s)];
        return new TensorData(Type, shape, raw, strings);
    }

    /// <summary>Element <paramref name="i"/> as a double (floating-point and integer types), for comparison.</summary>
    public double At(long i)
    {
        var span = Raw.AsSpan();
        var k = (int)i;
        return Type switch
        {
            TensorElementType.Float => MemoryMarshal.Cast<byte, float>(span)[k],
            TensorElementType.Double => MemoryMarshal.Cast<byte, double>(span)[k],
            TensorElementType.Float16 => (double)(float)MemoryMarshal.Cast<byte, Float16>(span)[k],
            TensorElementType.BFloat16 => (double)(float)MemoryMarshal.Cast<byte, BFloat16>(span)[k],
            TensorElementType.Int64 => MemoryMarshal.Cast<byte, long>(span)[k],
            TensorElementType.UInt64 => MemoryMarshal.Cast<byte, ulong>(span)[k],
            TensorElementType.Int32 => MemoryMarshal.Cast<byte, int>(span)[k],
            TensorElementType.UInt32 => MemoryMarshal.Cast<byte, uint>(span)[k],
            TensorElementType.Int16 => MemoryMarshal.Cast<byte, short>(span)[k],
            TensorElementType.UInt16 => MemoryMarshal.Cast<byte, ushort>(span)[k],
            TensorElementType.Int8 => (sbyte)span[k],
            TensorElementType.UInt8 or TensorElementType.Bool => span[k],
            _ => throw new NotSupportedException($"elements of {Type} are not numbers"),
        };
    }

    /// <summary>True for element types compared with a tolerance (the floating-point ones).</summary>
    public bool IsFloatingPoint => Type is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 or TensorElementType.BFloat16;

    /// <summary>The multi-dimensional index of flat element <paramref name="flat"/>, as <c>[1, 2, 0]</c>.</summary>
    public string IndexOf(long flat)
    {
        var index = new long[Shape.Length];
        for (var d = Shape.Length - 1; d >= 0; d--)
        {
            var size = Math.Max(1, Shape[d]);
            index[d] = flat % size;
            flat /= size;
        }

        return $"[{string.Join(", ", index)}]";
    }
}

/// <summary>A sequence of values.</summary>
internal sealed record SequenceData(IReadOnlyList<OnnxData> Items) : OnnxData
{
    public override string Describe() => Items.Count == 0 ? "seq (empty)" : string.Create(CultureInfo.InvariantCulture, $"seq of {Items.Count} × {Items[0].Describe()}");
}

/// <summary>An optional value: present (<see cref="Value"/>) or not.</summary>
internal sealed record OptionalData(OnnxData? Value) : OnnxData
{
    public override string Describe() => Value is null ? "optional (none)" : $"optional({Value.Describe()})";
}

/// <summary>A map: its keys as a 1-D tensor and its values as a tensor of the same length.</summary>
internal sealed record MapData(TensorData Keys, OnnxData Values) : OnnxData
{
    public override string Describe() => $"map({Keys.Type} → {Values.Describe()}, {Keys.Count} entries)";
}

/// <summary>Sequences and maps built from values made one by one, with every value released if one fails.</summary>
internal static class OrtValues
{
    /// <summary>A sequence of <paramref name="count"/> values from <paramref name="create"/>.</summary>
    public static OrtValue Sequence(int count, Func<int, OrtValue> create)
    {
        var items = new List<OrtValue>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                items.Add(create(i));
            }

            // On success the sequence owns the elements and the list is emptied.
            return OrtValue.CreateSequence(items);
        }
        finally
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }

    /// <summary>A map of the keys tensor and the values tensor from the two functions.</summary>
    public static OrtValue Map(Func<OrtValue> keys, Func<OrtValue> values)
    {
        OrtValue? keyValues = null;
        OrtValue? valueValues = null;
        try
        {
            keyValues = keys();
            valueValues = values();

            // On success the map owns both and the references are cleared.
            return OrtValue.CreateMap(ref keyValues, ref valueValues);
        }
        finally
        {
            keyValues?.Dispose();
            valueValues?.Dispose();
        }
    }
}
