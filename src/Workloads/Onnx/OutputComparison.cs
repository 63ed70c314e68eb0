using System.Globalization;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// Compares a run's outputs with the expected outputs of a test data set. Floating-point
/// elements agree when <c>|actual − expected| ≤ absolute + relative × |expected|</c> (NumPy's
/// <c>isclose</c>; NaN agrees only with NaN, an infinity only with the same infinity); integer,
/// boolean and string elements must be equal. A disagreement names the output, how many
/// elements differ (NaN and infinities counted apart) and the worst element with its index.
/// </summary>
internal static class OutputComparison
{
    /// <summary>Null when every expected output agrees, else the reason the run is wrong.</summary>
    public static string? Compare(IReadOnlyDictionary<string, OnnxData> expected, IReadOnlyDictionary<string, OnnxData> actual, double absolute, double relative, string source)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        foreach (var (name, want) in expected.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!actual.TryGetValue(name, out var got))
            {
                return $"output '{name}' was not produced; {source} expects {want.Describe()}";
            }

            if (Difference(want, got, absolute, relative) is { } difference)
            {
                return $"output '{name}' differs from {source}: {difference}";
            }
        }

        return null;
    }

    private static string? Difference(OnnxData want, OnnxData got, double absolute, double relative)
    {
        switch (want, got)
        {
            case (OptionalData { Value: null }, OptionalData { Value: null }):
                return null;
            case (OptionalData { Value: null }, _):
                return $"expected no value (an absent optional), got {got.Describe()}";
            case (OptionalData { Value: { } inner }, _):
                return Difference(inner, got is OptionalData o ? o.Value ?? got : got, absolute, relative);
            case (_, OptionalData { Value: { } present }):
                return Difference(want, present, absolute, relative);
            case (TensorData a, TensorData b):
                return Tensors(a, b, absolute, relative);
            case (SequenceData a, SequenceData b):
                if (a.Items.Count != b.Items.Count)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"a sequence of {b.Items.Count} values where {a.Items.Count} were expected");
                }

                for (var i = 0; i < a.Items.Count; i++)
                {
                    if (Difference(a.Items[i], b.Items[i], absolute, relative) is { } inner)
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"sequence element {i}: {inner}");
                    }
                }

                return null;
            case (MapData a, MapData b):
                return Difference(a.Keys, b.Keys, 0, 0) is { } keys ? $"map keys: {keys}"
                    : Difference(a.Values, b.Values, absolute, relative) is { } values ? $"map values: {values}"
                    : null;
            default:
                return $"got {got.Describe()} where {want.Describe()} was expected";
        }
    }

    private static string? Tensors(TensorData want, TensorData got, double absolute, double relative)
    {
        if (want.Type != got.Type || !want.Shape.AsSpan().SequenceEqual(got.Shape))
        {
            return $"got {got.Describe()} where {want.Describe()} was expected";
        }

        var count = want.Count;
        if (want.Type == TensorElementType.String)
        {
            for (var i = 0; i < count; i++)
            {
                if (!string.Equals(want.Strings![i], got.Strings![i], StringComparison.Ordinal))
                {
                    return $"element {want.IndexOf(i)} is \"{got.Strings[i]}\", expected \"{want.Strings[i]}\"";
                }
            }

            return null;
        }

        if (OnnxData.ElementSize(want.Type) is null || want.Type is TensorElementType.Complex64 or TensorElementType.Complex128)
        {
            return want.Raw.AsSpan().SequenceEqual(got.Raw) ? null : $"the {want.Type} elements differ";
        }

        var floating = want.IsFloatingPoint;
        long differing = 0, nonFinite = 0, worst = -1;
        var worstExcess = double.NegativeInfinity;
        for (long i = 0; i < count; i++)
        {
            var e = want.At(i);
            var a = got.At(i);
            bool agree;
            double excess;
            if (!floating)
            {
                agree = e == a;
                excess = agree ? 0 : Math.Abs(a - e);
            }
            else if (double.IsNaN(e) || double.IsNaN(a) || double.IsInfinity(e) || double.IsInfinity(a))
            {
                agree = e.Equals(a);
                excess = agree ? 0 : double.PositiveInfinity;
                if (!agree)
                {
                    nonFinite++;
                }
            }
            else
            {
                var bound = absolute + relative * Math.Abs(e);
                excess = Math.Abs(a - e) - bound;
                agree = excess <= 0;
            }

            if (!agree)
            {
                differing++;
                if (excess > worstExcess)
                {
                    worstExcess = excess;
                    worst = i;
                }
            }
        }

        if (differing == 0)
        {
            return null;
        }

        var expected = want.At(worst);
        var actual = got.At(worst);
        var text = string.Create(CultureInfo.InvariantCulture, $"{differing} of {count} elements outside the tolerance");
        if (nonFinite > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" ({nonFinite} NaN or infinite where the other is not)");
        }

        var detail = floating && double.IsFinite(expected) && double.IsFinite(actual)
            ? string.Create(CultureInfo.InvariantCulture, $"; worst {want.IndexOf(worst)} = {actual:G7}, expected {expected:G7} (|diff| {Math.Abs(actual - expected):G3}, tolerance {absolute:G3} + {relative:G3} × |expected|)")
            : string.Create(CultureInfo.InvariantCulture, $"; worst {want.IndexOf(worst)} = {actual:G7}, expected {expected:G7}");
        return text + detail;
    }
}
