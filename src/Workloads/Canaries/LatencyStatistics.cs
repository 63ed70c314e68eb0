using System.Text.Json.Serialization;
using Perfolizer.Mathematics.Common;
using Perfolizer.Mathematics.QuantileEstimators;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Statistics of per-call latencies in seconds. Quantiles are exact from the samples
/// (Hyndman–Fan type 7, the default of NumPy and R, through Perfolizer); the standard
/// deviation is the sample one (n − 1).
/// </summary>
public sealed record LatencyStatistics(
    int Count,
    double Mean,
    [property: JsonPropertyName("stddev")] double StdDev,
    [property: JsonPropertyName("cv")] double CoefficientOfVariation,
    double Min,
    double P50,
    double P90,
    double P95,
    double P99,
    [property: JsonPropertyName("p999")] double P999,
    double Max)
{
    /// <summary>Computes the statistics of <paramref name="samples"/> (at least one).</summary>
    public static LatencyStatistics From(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("at least one sample is needed", nameof(samples));
        }

        var sample = new Pragmastat.Sample(samples);
        var moments = Moments.Create(sample);
        var stddev = samples.Count > 1 ? moments.StandardDeviation : 0;
        double Quantile(double p) => SimpleQuantileEstimator.Instance.Quantile(sample, p).NominalValue;
        return new LatencyStatistics(
            samples.Count,
            moments.Mean,
            stddev,
            moments.Mean > 0 ? stddev / moments.Mean : 0,
            samples.Min(),
            Quantile(0.50),
            Quantile(0.90),
            Quantile(0.95),
            Quantile(0.99),
            Quantile(0.999),
            samples.Max());
    }
}
