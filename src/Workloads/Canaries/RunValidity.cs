using System.Collections.Concurrent;
using System.Globalization;
using Perfolizer.Mathematics.Distributions.DiscreteDistributions;
using Pragmastat;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Whether a measured run is a precise estimate (docs/canaries.md, measurement protocol step 7; issue
/// G3): <c>ok</c> when the 95 % confidence interval of its median latency is within
/// <see cref="MeasureOptions.MedianPrecision"/>, the medians of its three consecutive windows
/// agree within <see cref="MeasureOptions.WindowAgreement"/> (perf_analyzer's stability rule)
/// and its p99 rests on enough calls (MLPerf LoadGen's early-stopping bound); otherwise
/// <c>unstable</c> with every reason. The coefficient of variation is reported but decides
/// nothing: a 2.7 µs model has a CV near 0.8 from scheduler noise and still a median known to
/// a fraction of a per cent.
/// </summary>
public static class RunValidity
{
    /// <summary>Confidence of the median's interval.</summary>
    public const double MedianConfidence = 0.95;

    /// <summary>Consecutive windows whose medians must agree.</summary>
    public const int WindowCount = 3;

    /// <summary>The tail quantile whose sample size is checked.</summary>
    public const double TailQuantile = 0.99;

    private static readonly ConcurrentDictionary<double, int> s_tailSamples = new();

    /// <summary>
    /// The distribution-free 95 % confidence interval of the median of <paramref name="sample"/>:
    /// the order statistics X(l) and X(n − l + 1), l the largest rank with
    /// P(Binomial(n, ½) ≤ l − 1) ≤ 2.5 % (Perfolizer's binomial distribution; the interval
    /// assumes independent calls, which the window check guards). Below six calls no interval
    /// fits inside the sample and the whole range is returned.
    /// </summary>
    public static (double Lower, double Upper) MedianInterval(Sample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var sorted = sample.SortedValues;
        var n = sorted.Count;
        var rank = n < 2 ? 0 : MedianRank(n);
        return rank == 0 ? (sorted[0], sorted[n - 1]) : (sorted[rank - 1], sorted[n - rank]);
    }

    /// <summary>
    /// Medians of <see cref="WindowCount"/> consecutive windows of equal length (in calls) of
    /// <paramref name="samples"/> in time order (Hyndman–Fan type 7, through Perfolizer); null
    /// with fewer calls than windows.
    /// </summary>
    public static IReadOnlyList<double>? WindowMedians(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count < WindowCount)
        {
            return null;
        }

        var medians = new double[WindowCount];
        for (var w = 0; w < WindowCount; w++)
        {
            var from = (int)((long)samples.Count * w / WindowCount);
            var to = (int)((long)samples.Count * (w + 1) / WindowCount);
            var window = new double[to - from];
            for (var i = from; i < to; i++)
            {
                window[i - from] = samples[i];
            }

            medians[w] = Quantiles.Median(window);
        }

        return medians;
    }

    /// <summary>
    /// Calls the p99 needs at <paramref name="confidence"/>: the fewest n for which an order
    /// statistic with one call above it bounds the true p99 from above, that is
    /// P(Binomial(n, 0.01) ≤ 1) ≤ 1 − confidence — MLPerf LoadGen's early-stopping minimum with
    /// one over-latency query (662 at its 99 %; 473 at 95 %).
    /// </summary>
    public static int TailSamples(double confidence)
    {
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "must be in (0, 1)");
        }

        return s_tailSamples.GetOrAdd(confidence, c =>
        {
            bool Enough(int n) => new BinomialDistribution(n, 1 - TailQuantile).Cdf(1) <= 1 - c;
            int low = 2, high = 4;
            while (!Enough(high))
            {
                (low, high) = (high, high * 2);
            }

            while (low < high)
            {
                var mid = (low + high) / 2;
                (low, high) = Enough(mid) ? (low, mid) : (mid + 1, high);
            }

            return high;
        });
    }

    /// <summary>
    /// The status of a measured run: <c>unstable</c> with <see cref="ReasonCodes.BudgetReached"/>
    /// when the budget ended it before the minimums, <c>unstable</c> with every precision
    /// problem (the code of the first) when it is not precise, <c>ok</c> otherwise.
    /// </summary>
    public static (CanaryStatus Status, string? Reason, string? ReasonCode) Judge(LatencyStatistics stats, MeasureOptions measure, int iterations, bool warmupStable, double windowSeconds)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(measure);
        if (iterations < measure.MinIterations || windowSeconds < measure.MinDuration.TotalSeconds)
        {
            return (CanaryStatus.Unstable, string.Create(CultureInfo.InvariantCulture, $"time budget {measure.Budget} reached after {iterations} iterations in {windowSeconds:F2} s (asked for at least {measure.MinIterations} and {measure.MinDuration})"), ReasonCodes.BudgetReached);
        }

        var problems = Problems(stats.Count, stats.P50, stats.P50Lower, stats.P50Upper, stats.WindowP50, measure);
        if (problems.Count > 0)
        {
            return (CanaryStatus.Unstable, string.Join("; ", problems.Select(p => p.Text)), problems[0].Code);
        }

        // An unsettled warm-up is worth a note, not a status: the measurement itself passed.
        return warmupStable ? (CanaryStatus.Ok, null, null) : (CanaryStatus.Ok, "warm-up reached its cap before latencies settled", null);
    }

    /// <summary>
    /// The precision problems of <paramref name="samples"/> (time order) under
    /// <paramref name="measure"/>, as <see cref="Judge"/> would state them; empty when precise.
    /// The measurement loop asks this every so often to know when it may stop.
    /// </summary>
    public static IReadOnlyList<(string Code, string Text)> Problems(IReadOnlyList<double> samples, MeasureOptions measure)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(measure);
        if (samples.Count == 0)
        {
            return [(ReasonCodes.TailUndersampled, "p99 from 0 samples")];
        }

        var sample = new Sample(samples);
        var median = Quantiles.Of(sample, 0.5);
        var (lower, upper) = MedianInterval(sample);
        return Problems(samples.Count, median, lower, upper, WindowMedians(samples), measure);
    }

    private static List<(string Code, string Text)> Problems(int count, double median, double? lower, double? upper, IReadOnlyList<double>? windows, MeasureOptions measure)
    {
        var invariant = CultureInfo.InvariantCulture;
        var problems = new List<(string Code, string Text)>();
        if (windows is { Count: > 0 } && windows.Min() > 0)
        {
            var spread = (windows.Max() / windows.Min()) - 1;
            if (!(spread <= measure.WindowAgreement))
            {
                var ratios = string.Join(" / ", windows.Select(w => (w / windows[0]).ToString("F2", invariant)));
                problems.Add((ReasonCodes.WindowsDisagree, string.Create(invariant, $"windows disagree: {ratios} (limit {measure.WindowAgreement:P0})")));
            }
        }

        if (lower is { } low && upper is { } high && median > 0)
        {
            var half = Math.Max(median - low, high - median) / median;
            if (!(half <= measure.MedianPrecision))
            {
                problems.Add((ReasonCodes.MedianImprecise, string.Create(invariant, $"median CI ±{half * 100:F1} % (limit ±{measure.MedianPrecision * 100:0.0##} %)")));
            }
        }

        var needed = TailSamples(measure.TailConfidence);
        if (count < needed)
        {
            problems.Add((ReasonCodes.TailUndersampled, string.Create(invariant, $"p99 from {count} samples (needs {needed})")));
        }

        return problems;
    }

    // The largest rank l with P(Binomial(n, ½) ≤ l − 1) ≤ (1 − confidence) / 2; 0 when none.
    private static int MedianRank(int n)
    {
        var binomial = new BinomialDistribution(n, 0.5);
        var alpha = (1 - MedianConfidence) / 2;
        int low = 0, high = n / 2;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            (low, high) = binomial.Cdf(mid - 1) <= alpha ? (mid, high) : (low, mid - 1);
        }

        return low;
    }
}
