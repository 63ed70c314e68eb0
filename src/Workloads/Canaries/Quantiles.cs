using Perfolizer.Mathematics.QuantileEstimators;
using Pragmastat;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Quantiles as BenchDaemon reports and judges them, everywhere: Hyndman–Fan type 7 (linear
/// interpolation between order statistics, NumPy's default) through Perfolizer, so a p99 here is
/// the p99 another tool computes from the same samples.
/// </summary>
public static class Quantiles
{
    /// <summary>The <paramref name="probability"/> quantile of <paramref name="sample"/>.</summary>
    public static double Of(Sample sample, double probability)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return SimpleQuantileEstimator.Instance.Quantile(sample, probability).NominalValue;
    }

    /// <summary>The median of <paramref name="values"/> (at least one).</summary>
    public static double Median(double[] values) => Of(new Sample(values), 0.5);
}
