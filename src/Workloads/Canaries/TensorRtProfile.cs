using System.Globalization;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// One TensorRT optimisation profile in ONNX Runtime's option format
/// (<c>trt_profile_min_shapes</c> = <c>input_ids:1x128,attention_mask:1x128</c>): the range of
/// shapes an engine accepts and the shape it is tuned for.
/// </summary>
/// <param name="MinShapes">Smallest shape of every dynamic input.</param>
/// <param name="OptShapes">The shapes TensorRT tunes its kernels for.</param>
/// <param name="MaxShapes">Largest shape of every dynamic input.</param>
public sealed record TensorRtProfile(string MinShapes, string OptShapes, string MaxShapes)
{
    /// <summary>
    /// The profile covering every one of <paramref name="batchSizes"/> for each dynamic input:
    /// the first dimension (when dynamic) is the batch, other dynamic dimensions take their value
    /// from <paramref name="dimensions"/> (a canary's <c>Inputs</c>, by symbol name). min is the
    /// smallest batch, max the largest, and opt the largest: one engine serves every batch, tuned
    /// for the throughput end. Null when no input is dynamic (TensorRT then needs no profile).
    /// </summary>
    /// <exception cref="CanaryInputException">A dynamic dimension other than the batch has no value.</exception>
    public static TensorRtProfile? For(IReadOnlyList<ModelInput> inputs, IReadOnlyList<int> batchSizes, IReadOnlyDictionary<string, long> dimensions)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(batchSizes);
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentOutOfRangeException.ThrowIfZero(batchSizes.Count);
        var dynamic = inputs.Where(i => i.IsDynamic).ToList();
        if (dynamic.Count == 0)
        {
            return null;
        }

        var smallest = batchSizes.Min();
        var largest = batchSizes.Max();
        return new TensorRtProfile(Shapes(dynamic, smallest, dimensions), Shapes(dynamic, largest, dimensions), Shapes(dynamic, largest, dimensions));
    }

    private static string Shapes(List<ModelInput> inputs, int batch, IReadOnlyDictionary<string, long> dimensions) =>
        string.Join(',', inputs.Select(i => i.Name + ":" + string.Join('x', i.Dimensions.Select((d, k) => Size(i, k, d, batch, dimensions).ToString(CultureInfo.InvariantCulture)))));

    private static long Size(ModelInput input, int index, long declared, int batch, IReadOnlyDictionary<string, long> dimensions)
    {
        if (declared >= 0)
        {
            return declared;
        }

        if (index == 0)
        {
            return batch;
        }

        var symbol = index < input.Symbols.Count ? input.Symbols[index] : string.Empty;
        if (!string.IsNullOrEmpty(symbol) && dimensions.TryGetValue(symbol, out var value))
        {
            return value;
        }

        throw new CanaryInputException(string.IsNullOrEmpty(symbol)
            ? $"input '{input.Name}' dimension {index} is dynamic and unnamed; TensorRT needs its size for an optimisation profile"
            : $"input '{input.Name}' dimension '{symbol}' is symbolic: set Inputs:{symbol} to its size (TensorRT's optimisation profile needs it)");
    }
}
