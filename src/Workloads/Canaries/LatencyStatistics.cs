using System.Text.Json.Serialization;
using Perfolizer.Mathematics.Common;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Statistics of per-call latencies in seconds. Quantiles are exact from the samples
/// (Hyndman–Fan type 7, the default of NumPy and R, through Perfolizer); the standard
/// deviation is the sample one (n − 1). The precision figures (<see cref="P50Lower"/>,
/// <see cref="P50Upper"/>, <see cref="WindowP50"/>) are what <see cref="RunValidity"/> judges
/// a run by; runs stored before them have them null.
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
    /// <summary>Lower end of the distribution-free 95 % confidence interval of <see cref="P50"/> (<see cref="RunValidity.MedianInterval"/>).</summary>
    public double? P50Lower { get; init; }

    /// <summary>Upper end of the 95 % confidence interval of <see cref="P50"/>.</summary>
    public double? P50Upper { get; init; }

    /// <summary>Medians of the run's three consecutive windows in time order (<see cref="RunValidity.WindowMedians"/>).</summary>
    public IReadOnlyList<double>? WindowP50 { get; init; }

    /// <summary>Value equality, the window medians compared element by element (a record compares lists by reference).</summary>
    public bool Equals(LatencyStatistics? other) =>
        other is not null
        && Count == other.Count && Mean.Equals(other.Mean) && StdDev.Equals(other.StdDev)
        && CoefficientOfVariation.Equals(other.CoefficientOfVariation) && Min.Equals(other.Min)
        && P50.Equals(other.P50) && P90.Equals(other.P90) && P95.Equals(other.P95) && P99.Equals(other.P99)
        && P999.Equals(other.P999) && Max.Equals(other.Max)
        && Nullable.Equals(P50Lower, other.P50Lower) && Nullable.Equals(P50Upper, other.P50Upper)
        && (WindowP50 is null ? other.WindowP50 is null : other.WindowP50 is not null && WindowP50.SequenceEqual(other.WindowP50));

    public override int GetHashCode() => HashCode.Combine(Count, Mean, P50, P99, P50Lower, P50Upper, WindowP50?.Count);

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
        double Quantile(double p) => Quantiles.Of(sample, p);
        var (lower, upper) = RunValidity.MedianInterval(sample);
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
            samples.Max())
        {
            P50Lower = lower,
            P50Upper = upper,
            WindowP50 = RunValidity.WindowMedians(samples),
        };
    }
}
