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
        foreach (var (name, meta) in inputs)
        {
            if (files.TryGetValue(name, out var file))
            {
                shapes[name] = FileShape(name, meta, file, batch);
                CollectSymbols(meta, symbols);
                continue;
            }

            if (!meta.IsTensor || meta.IsString)
            {
                throw new CanaryInputException($"input '{name}' is a {(meta.IsString ? "string tensor" : meta.OnnxValueType.ToString())}; only numeric tensors can be generated");
            }

            var dims = meta.Dimensions;
            var shape = new long[dims.Length];
            for (var i = 0; i < dims.Length; i++)
            {
                var symbol = i < meta.SymbolicDimensions.Length ? meta.SymbolicDimensions[i] : string.Empty;
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

                if (i == 0)
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
    public static Dictionary<string, OrtValue> Create(IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, long[]> shapes, IReadOnlyDictionary<string, long> dimensions, int seed, IReadOnlyDictionary<string, NpyArray>? files = null)
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
                var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, meta.ElementDataType, shape);
                values[name] = value;
                if (files is not null && files.TryGetValue(name, out var file))
                {
                    // A batch-1 file is repeated to fill the batch.
                    var target = value.GetTensorMutableRawData();
                    for (var offset = 0; offset < target.Length; offset += file.Data.Length)
                    {
                        file.Data.CopyTo(target[offset..]);
                    }
                }
                else
                {
                    Fill(value, meta.ElementDataType, name, shape, vocabulary, random);
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

    private static void Fill(OrtValue value, TensorElementType type, string name, long[] shape, long vocabulary, Models.SplitMix64 random)
    {
        var lower = name.ToLowerInvariant();
        var lastDim = shape.Length == 0 ? 1 : Math.Max(1, shape[^1]);
        long IntegerAt(long i) =>
            lower.Contains("mask", StringComparison.Ordinal) ? 1
            : lower.Contains("type", StringComparison.Ordinal) || lower.Contains("segment", StringComparison.Ordinal) ? 0
            : lower.Contains("position", StringComparison.Ordinal) ? i % lastDim
            : (long)(random.NextDouble() * vocabulary);

        switch (type)
        {
            case TensorElementType.Float:
                FillEach(value.GetTensorMutableDataAsSpan<float>(), _ => (float)random.NextSignedDouble());
                break;
            case TensorElementType.Double:
                FillEach(value.GetTensorMutableDataAsSpan<double>(), _ => random.NextSignedDouble());
                break;
            case TensorElementType.Float16:
                FillEach(value.GetTensorMutableDataAsSpan<Float16>(), _ => (Float16)(float)random.NextSignedDouble());
                break;
            case TensorElementType.BFloat16:
                FillEach(value.GetTensorMutableDataAsSpan<BFloat16>(), _ => (BFloat16)(float)random.NextSignedDouble());
                break;
            case TensorElementType.Int64:
                FillEach(value.GetTensorMutableDataAsSpan<long>(), IntegerAt);
                break;
            case TensorElementType.Int32:
                FillEach(value.GetTensorMutableDataAsSpan<int>(), i => (int)IntegerAt(i));
                break;
            case TensorElementType.Int16:
                FillEach(value.GetTensorMutableDataAsSpan<short>(), i => (short)Math.Min(IntegerAt(i), short.MaxValue));
                break;
            case TensorElementType.Int8:
                FillEach(value.GetTensorMutableDataAsSpan<sbyte>(), _ => (sbyte)(random.NextDouble() * 255 - 128));
                break;
            case TensorElementType.UInt8:
                FillEach(value.GetTensorMutableDataAsSpan<byte>(), _ => (byte)(random.NextDouble() * 256));
                break;
            case TensorElementType.Bool:
                FillEach(value.GetTensorMutableDataAsSpan<bool>(), _ => true);
                break;
            default:
                throw new CanaryInputException($"input '{name}' has element type {type}, which cannot be generated");
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
