using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Builds input tensors from a model's input metadata: the first dimension, when symbolic,
/// is the batch (a fixed one keeps its size); other symbolic dimensions take their value from the canary's <c>Inputs</c>;
/// data is deterministic for a seed. Integer inputs follow BERT-style conventions by name:
/// <c>*mask*</c> → 1, <c>*type*</c>/<c>*segment*</c> → 0, <c>*position*</c> → 0, 1, 2…,
/// anything else → token ids in [0, <c>vocab</c>) (default <see cref="DefaultVocabulary"/>).
/// Floating-point inputs are uniform in [-1, 1).
/// </summary>
public static class InputGenerator
{
    /// <summary>Upper bound (exclusive) of generated token ids when <c>Inputs:vocab</c> is not set.</summary>
    public const long DefaultVocabulary = 100;

    /// <summary>The <c>Inputs</c> key that bounds token ids rather than naming a dimension.</summary>
    public const string VocabularyKey = "vocab";

    /// <summary>Resolves the concrete shape of every input for <paramref name="batch"/>; throws <see cref="CanaryInputException"/> when one cannot be.</summary>
    public static IReadOnlyDictionary<string, long[]> Shapes(IReadOnlyDictionary<string, NodeMetadata> inputs, int batch, IReadOnlyDictionary<string, long> dimensions, IReadOnlyDictionary<string, NpyArray>? files = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(dimensions);
        files ??= new Dictionary<string, NpyArray>();
        foreach (var name in files.Keys.Where(n => !inputs.ContainsKey(n)))
        {
            throw new CanaryInputException($"InputFiles:{name} is not an input of the model (inputs: {string.Join(", ", inputs.Keys)})");
        }

        var symbols = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);

        // A symbol that names some input's batch dimension is the batch wherever it appears
        // (a square [N, N] input, or b [K, N] feeding a [M, K] × [K, N] product).
        var batchSymbols = new HashSet<string>(
            inputs.Values.Select(Innermost).OfType<NodeMetadata>()
                .Where(m => m.Dimensions.Length > 0 && m.Dimensions[0] < 0 && m.SymbolicDimensions.Length > 0 && m.SymbolicDimensions[0].Length > 0)
                .Select(m => m.SymbolicDimensions[0]),
            StringComparer.Ordinal);
        foreach (var (name, meta) in inputs)
        {
            if (files.TryGetValue(name, out var file))
            {
                shapes[name] = FileShape(name, meta, file, batch);
                CollectSymbols(meta, symbols);
                continue;
            }

            if (meta.OnnxValueType == OnnxValueType.ONNX_TYPE_MAP)
            {
                shapes[name] = [MapEntries];
                continue;
            }

            var tensor = Innermost(meta) ?? throw new CanaryInputException(
                $"input '{name}' is {Describe(meta)}, whose values cannot be generated; give them in a test data set (test_data_set_0/input_K.pb beside the model, or TestData)");
            var dims = tensor.Dimensions;
            var shape = new long[dims.Length];
            for (var i = 0; i < dims.Length; i++)
            {
                var symbol = i < tensor.SymbolicDimensions.Length ? tensor.SymbolicDimensions[i] : string.Empty;
                if (dims[i] >= 0)
                {
                    // A fixed size stays as declared, the first dimension too: the batch applies
                    // to inputs whose first dimension is symbolic (a Resize's scales, a fixed
                    // [3, 4, 5] test input keep their shapes; the configuration check refuses
                    // BatchSizes for a model with no symbolic first dimension).
                    shape[i] = dims[i];
                    continue;
                }

                if (!string.IsNullOrEmpty(symbol))
                {
                    symbols.Add(symbol);
                }

                if (i == 0 || batchSymbols.Contains(symbol))
                {
                    shape[i] = batch;
                }
                else if (!string.IsNullOrEmpty(symbol) && dimensions.TryGetValue(symbol, out var value))
                {
                    shape[i] = value;
                }
                else if (string.IsNullOrEmpty(symbol))
                {
                    throw new CanaryInputException($"input '{name}' dimension {i} is dynamic and unnamed; it cannot be bound (give the model named dimensions)");
                }
                else
                {
                    throw new CanaryInputException($"input '{name}' dimension '{symbol}' is symbolic: set Inputs:{symbol} to its size");
                }
            }

            shapes[name] = shape;
        }

        foreach (var key in dimensions.Keys)
        {
            if (!symbols.Contains(key) && !string.Equals(key, VocabularyKey, StringComparison.OrdinalIgnoreCase))
            {
                var known = symbols.Count == 0 ? "none" : string.Join(", ", symbols);
                throw new CanaryInputException($"Inputs:{key} matches no symbolic dimension of the model (it has: {known})");
            }
        }

        return shapes;
    }

    private static long[] FileShape(string name, NodeMetadata meta, NpyArray file, int batch)
    {
        if (meta.ElementDataType != file.Type)
        {
            throw new CanaryInputException($"InputFiles:{name} holds {file.Type} but the model's input '{name}' is {meta.ElementDataType}");
        }

        if (file.Shape.Length != meta.Dimensions.Length || file.Shape.Length == 0)
        {
            throw new CanaryInputException($"InputFiles:{name} has rank {file.Shape.Length} but the model's input '{name}' has rank {meta.Dimensions.Length}");
        }

        if (file.Shape[0] != batch && file.Shape[0] != 1)
        {
            throw new CanaryInputException($"InputFiles:{name} has batch {file.Shape[0]} but batch {batch} was asked (a file with batch 1 is repeated)");
        }

        var shape = (long[])file.Shape.Clone();
        shape[0] = batch;
        for (var i = 0; i < shape.Length; i++)
        {
            var fixedSize = meta.Dimensions[i];
            if (fixedSize >= 0 && fixedSize != shape[i])
            {
                throw new CanaryInputException($"InputFiles:{name} has size {shape[i]} in dimension {i} where the model's input '{name}' has {fixedSize}");
            }
        }

        return shape;
    }

    private static void CollectSymbols(NodeMetadata meta, SortedSet<string> symbols)
    {
        for (var i = 0; i < meta.Dimensions.Length; i++)
        {
            if (meta.Dimensions[i] < 0 && i < meta.SymbolicDimensions.Length && meta.SymbolicDimensions[i].Length > 0)
            {
                symbols.Add(meta.SymbolicDimensions[i]);
            }
        }
    }

    /// <summary>Allocates and fills the input tensors (from <paramref name="files"/> where given); the caller disposes them.</summary>
    public static Dictionary<string, OrtValue> Create(IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, long[]> shapes, IReadOnlyDictionary<string, long> dimensions, int seed, IReadOnlyDictionary<string, NpyArray>? files = null, IReadOnlyDictionary<string, Onnx.InputHint>? hints = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentNullException.ThrowIfNull(dimensions);
        var vocabulary = dimensions.TryGetValue(VocabularyKey, out var v) ? v : DefaultVocabulary;
        var values = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        try
        {
            var index = 0;
            foreach (var (name, meta) in inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                var shape = shapes[name];
                var random = new Models.SplitMix64(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index++));
                if (files is null || !files.TryGetValue(name, out var file))
                {
                    var generator = new Generator(vocabulary, dimensions.ContainsKey(VocabularyKey), random);
                    values[name] = generator.Make(meta, name, shape, hints?.GetValueOrDefault(name));
                    continue;
                }

                var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, meta.ElementDataType, shape);
                values[name] = value;
                {
                    // A batch-1 file is repeated to fill the batch.
                    var target = value.GetTensorMutableRawData();
                    for (var offset = 0; offset < target.Length; offset += file.Data.Length)
                    {
                        file.Data.CopyTo(target[offset..]);
                    }
                }
            }

            return values;
        }
        catch
        {
            foreach (var value in values.Values)
            {
                value.Dispose();
            }

            throw;
        }
    }

    /// <summary>Entries of a generated map input.</summary>
    public const int MapEntries = 4;

    /// <summary>Elements of a generated sequence input.</summary>
    public const int SequenceLength = 2;

    // The tensor inside an input: itself, or the element of an optional or a sequence.
    private static NodeMetadata? Innermost(NodeMetadata meta) => meta.OnnxValueType switch
    {
        OnnxValueType.ONNX_TYPE_TENSOR => meta,
        OnnxValueType.ONNX_TYPE_OPTIONAL => Innermost(meta.AsOptionalMetadata().ElementMeta),
        OnnxValueType.ONNX_TYPE_SEQUENCE => Innermost(meta.AsSequenceMetadata().ElementMeta),
        _ => null,
    };

    private static string Describe(NodeMetadata meta) => meta.OnnxValueType switch
    {
        OnnxValueType.ONNX_TYPE_TENSOR => $"a tensor of {meta.ElementDataType}",
        OnnxValueType.ONNX_TYPE_SEQUENCE => $"a sequence of {Describe(meta.AsSequenceMetadata().ElementMeta)}",
        OnnxValueType.ONNX_TYPE_OPTIONAL => $"an optional {Describe(meta.AsOptionalMetadata().ElementMeta)}",
        OnnxValueType.ONNX_TYPE_MAP => $"a map from {meta.AsMapMetadata().KeyDataType} to {Describe(meta.AsMapMetadata().ValueMetadata)}",
        var other => $"a value of type {other}",
    };

    // Builds one generated value of any ONNX type; shape is that of the innermost tensor (the
    // entries of a map).
    private sealed class Generator(long vocabulary, bool userVocabulary, Models.SplitMix64 random)
    {
        public OrtValue Make(NodeMetadata meta, string name, long[] shape, Onnx.InputHint? hint)
        {
            switch (meta.OnnxValueType)
            {
                case OnnxValueType.ONNX_TYPE_TENSOR:
                    return Tensor(meta.ElementDataType, name, shape, hint);
                case OnnxValueType.ONNX_TYPE_OPTIONAL:
                    // Present: the value inside is what the graph computes with.
                    return Make(meta.AsOptionalMetadata().ElementMeta, name, shape, hint);
                case OnnxValueType.ONNX_TYPE_SEQUENCE:
                    return Onnx.OrtValues.Sequence(SequenceLength, _ => Make(meta.AsSequenceMetadata().ElementMeta, name, shape, hint));
                case OnnxValueType.ONNX_TYPE_MAP:
                    var map = meta.AsMapMetadata();
                    if (!map.ValueMetadata.IsTensor)
                    {
                        throw new CanaryInputException($"input '{name}' is a map whose values are {Describe(map.ValueMetadata)}; only maps of tensors can be generated");
                    }

                    return Onnx.OrtValues.Map(() => Keys(map.KeyDataType, name, shape[0]), () => Tensor(map.ValueMetadata.ElementDataType, name, shape, null));
                default:
                    throw new CanaryInputException($"input '{name}' is {Describe(meta)}, whose values cannot be generated");
            }
        }

        private OrtValue Keys(TensorElementType type, string name, long count)
        {
            if (type == TensorElementType.String)
            {
                var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [count]);
                for (var i = 0; i < count; i++)
                {
                    strings.StringTensorSetElementAt(string.Create(CultureInfo.InvariantCulture, $"k{i}").AsSpan(), i);
                }

                return strings;
            }

            // Distinct keys 0, 1, 2… in the key's integer type.
            var keys = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, [count]);
            try
            {
                Fill(keys, type, name, [count], Onnx.InputHint.Of((i, _) => i, "map keys"));
                return keys;
            }
            catch
            {
                keys.Dispose();
                throw;
            }
        }

        private OrtValue Tensor(TensorElementType type, string name, long[] shape, Onnx.InputHint? hint)
        {
            if (type == TensorElementType.String)
            {
                var count = shape.Aggregate(1L, (a, d) => a * d);
                var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                for (var i = 0; i < count; i++)
                {
                    strings.StringTensorSetElementAt(string.Create(CultureInfo.InvariantCulture, $"w{(long)(random.NextDouble() * vocabulary)}").AsSpan(), (int)i);
                }

                return strings;
            }

            var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
            try
            {
                Fill(value, type, name, shape, hint);
                return value;
            }
            catch
            {
                value.Dispose();
                throw;
            }
        }

        private void Fill(OrtValue value, TensorElementType type, string name, long[] shape, Onnx.InputHint? hint)
        {
            var lower = name.ToLowerInvariant();
            var lastDim = shape.Length == 0 ? 1 : Math.Max(1, shape[^1]);
            var count = shape.Aggregate(1L, (a, d) => a * d);
            var span = hint is { Value: null } range ? range.Upper - range.Lower : 0;
            var exact = hint?.Value;

            // BERT-style conventions by name, then the graph's range (an embedding table's rows,
            // a non-zero divisor) unless Inputs:vocab bounds token ids.
            long IntegerAt(long i)
            {
                if (exact is not null)
                {
                    return (long)exact(i, count);
                }

                var v = lower.Contains("mask", StringComparison.Ordinal) ? 1
                    : lower.Contains("type", StringComparison.Ordinal) || lower.Contains("segment", StringComparison.Ordinal) ? 0
                    : lower.Contains("position", StringComparison.Ordinal) ? i % lastDim
                    : (long)(random.NextDouble() * (span > 0 && !userVocabulary ? span : vocabulary));
                return span > 0 ? hint!.Lower + ((((v - hint.Lower) % span) + span) % span) : v;
            }

            double FloatAt(long i) => exact is not null ? exact(i, count) : random.NextSignedDouble();

            switch (type)
            {
                case TensorElementType.Float:
                    FillEach(value.GetTensorMutableDataAsSpan<float>(), i => (float)FloatAt(i));
                    break;
                case TensorElementType.Double:
                    FillEach(value.GetTensorMutableDataAsSpan<double>(), FloatAt);
                    break;
                case TensorElementType.Float16:
                    FillEach(value.GetTensorMutableDataAsSpan<Float16>(), i => (Float16)(float)FloatAt(i));
                    break;
                case TensorElementType.BFloat16:
                    FillEach(value.GetTensorMutableDataAsSpan<BFloat16>(), i => (BFloat16)(float)FloatAt(i));
                    break;
                case TensorElementType.Int64:
                    FillEach(value.GetTensorMutableDataAsSpan<long>(), IntegerAt);
                    break;
                case TensorElementType.UInt64:
                    FillEach(value.GetTensorMutableDataAsSpan<ulong>(), i => (ulong)Math.Max(0, IntegerAt(i)));
                    break;
                case TensorElementType.Int32:
                    FillEach(value.GetTensorMutableDataAsSpan<int>(), i => (int)Math.Clamp(IntegerAt(i), int.MinValue, int.MaxValue));
                    break;
                case TensorElementType.UInt32:
                    FillEach(value.GetTensorMutableDataAsSpan<uint>(), i => (uint)Math.Clamp(IntegerAt(i), 0, uint.MaxValue));
                    break;
                case TensorElementType.Int16:
                    FillEach(value.GetTensorMutableDataAsSpan<short>(), i => (short)Math.Clamp(IntegerAt(i), short.MinValue, short.MaxValue));
                    break;
                case TensorElementType.UInt16:
                    FillEach(value.GetTensorMutableDataAsSpan<ushort>(), i => (ushort)Math.Clamp(IntegerAt(i), 0, ushort.MaxValue));
                    break;
                case TensorElementType.Int8:
                    FillEach(value.GetTensorMutableDataAsSpan<sbyte>(), i => hint is null ? (sbyte)(random.NextDouble() * 255 - 128) : (sbyte)Math.Clamp(IntegerAt(i), sbyte.MinValue, sbyte.MaxValue));
                    break;
                case TensorElementType.UInt8:
                    FillEach(value.GetTensorMutableDataAsSpan<byte>(), i => hint is null ? (byte)(random.NextDouble() * 256) : (byte)Math.Clamp(IntegerAt(i), 0, byte.MaxValue));
                    break;
                case TensorElementType.Bool:
                    FillEach(value.GetTensorMutableDataAsSpan<bool>(), _ => true);
                    break;
                default:
                    throw new CanaryInputException($"input '{name}' has element type {type}, which cannot be generated");
            }
        }
    }

    private static void FillEach<T>(Span<T> span, Func<long, T> value)
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = value(i);
        }
    }
}
