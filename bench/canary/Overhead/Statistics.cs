using System.Globalization;
using Perfolizer.Mathematics.QuantileEstimators;

namespace BenchDaemon.Bench.Canary;

/// <summary>Medians, type-7 quantiles (Perfolizer) and the number formats of the printed tables.</summary>
internal static class Statistics
{
    public static double Median(IEnumerable<double> values) => Quantile(values, 0.5);

    /// <summary>Hyndman–Fan type 7 (Perfolizer's simple estimator, as LatencyStatistics computes).</summary>
    public static double Quantile(IEnumerable<double> values, double p)
    {
        var list = values.ToList();
        return list.Count == 0 ? double.NaN : SimpleQuantileEstimator.Instance.Quantile(new Pragmastat.Sample(list), p).NominalValue;
    }

    /// <summary>Seconds as microseconds: two decimals below 100 µs, one above.</summary>
    public static string Micros(double seconds) =>
        (seconds * 1e6).ToString(seconds < 1e-4 ? "F2" : "F1", CultureInfo.InvariantCulture);

    // Spreads are interquartile ranges across rounds: on a busy two-core machine a few rounds
    // land in a burst of someone else's load, and a min–max range would show only those.

    /// <summary>A median and its interquartile range across rounds in microseconds: <c>4.51 [4.40–4.73]</c>.</summary>
    public static string MicrosSpread(IReadOnlyList<double> seconds) =>
        $"{Micros(Median(seconds))} [{Micros(Quantile(seconds, 0.25))}–{Micros(Quantile(seconds, 0.75))}]";

    /// <summary>Signed microseconds: <c>+0.07</c>.</summary>
    public static string SignedMicros(double seconds) =>
        (seconds * 1e6).ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture);

    /// <summary>A ratio as a signed percentage difference: 1.012 → <c>+1.2 %</c>.</summary>
    public static string Percent(double ratio) =>
        ((ratio - 1) * 100).ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture) + " %";

    /// <summary>The median of per-round ratios and their interquartile range, as percentage differences.</summary>
    public static string PercentSpread(IReadOnlyList<double> ratios) =>
        $"{Percent(Median(ratios))} [{Percent(Quantile(ratios, 0.25))} … {Percent(Quantile(ratios, 0.75))}]";

    public static string Ratio(double ratio) => ratio.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>The median of per-round ratios and their interquartile range.</summary>
    public static string RatioSpread(IReadOnlyList<double> ratios) =>
        $"{Ratio(Median(ratios))} [{Ratio(Quantile(ratios, 0.25))}–{Ratio(Quantile(ratios, 0.75))}]";
}
