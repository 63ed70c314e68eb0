using System.Diagnostics;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Warm-up and measurement of the canary protocol (docs/canaries.md), shared by the ONNX canaries and
/// the CUDA micro-canaries: a call is any function that does one iteration and returns its
/// latency in seconds.
/// </summary>
internal static class MeasurementLoop
{
    // Warm-up compares the medians of consecutive blocks of this many calls.
    private const int WarmupBlock = 5;

    /// <summary>
    /// Calls until the medians of two consecutive blocks agree within the tolerance, or a cap is
    /// reached; <paramref name="done"/> iterations already happened before.
    /// </summary>
    public static (int Iterations, bool Stable) WarmUp(Func<double> call, MeasureOptions measure, long runStart, int done, CancellationToken token)
    {
        var iterations = done;
        var block = new double[WarmupBlock];
        var previousMedian = double.NaN;
        var warmupStart = Stopwatch.GetTimestamp();

        // Warm-up may use at most half the budget, so the measurement always gets the rest.
        var warmupBudget = measure.Budget / 2;
        while (iterations < measure.WarmupMaxIterations
               && Stopwatch.GetElapsedTime(warmupStart) < measure.WarmupMaxDuration
               && Stopwatch.GetElapsedTime(runStart) < warmupBudget)
        {
            token.ThrowIfCancellationRequested();
            for (var i = 0; i < block.Length; i++)
            {
                block[i] = call();
            }

            iterations += block.Length;
            var median = Quantiles.Median(block);
            if (iterations >= measure.WarmupMinIterations && !double.IsNaN(previousMedian)
                && Math.Abs(median - previousMedian) <= measure.WarmupTolerance * previousMedian)
            {
                return (iterations, true);
            }

            previousMedian = median;
        }

        // A cap of zero duration or iterations means "no warm-up wanted": that is stable by definition.
        return (iterations, measure.WarmupMaxDuration == TimeSpan.Zero || measure.WarmupMaxIterations <= 1);
    }

    /// <summary>
    /// Calls until at least the minimum iterations and duration, then on until the run is
    /// precise (<see cref="RunValidity.Problems(IReadOnlyList{double}, MeasureOptions)"/>) or
    /// the window reaches <see cref="MeasureOptions.PrecisionDuration"/>, stopping early
    /// before the budget.
    /// </summary>
    public static List<double> Measure(Func<double> call, MeasureOptions measure, long runStart, out double windowSeconds, CancellationToken token)
    {
        var samples = new List<double>(Math.Min(measure.MinIterations * 2, 1_000_000));
        var windowStart = Stopwatch.GetTimestamp();
        var precisionWindow = measure.PrecisionDuration;
        var tailSamples = RunValidity.TailSamples(measure.TailConfidence);
        var nextCheck = 0;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            var t0 = Stopwatch.GetTimestamp();
            samples.Add(call());
            var t1 = Stopwatch.GetTimestamp();
            var window = Stopwatch.GetElapsedTime(windowStart, t1);
            if (samples.Count >= measure.MinIterations && window >= measure.MinDuration)
            {
                if (window >= precisionWindow)
                {
                    break;
                }

                // The check sorts the samples, so it runs at geometrically spaced counts (each
                // half as many calls again, or straight to the calls the p99 needs): all checks
                // together cost at most about three sorts of the final sample.
                if (samples.Count >= nextCheck)
                {
                    var problems = RunValidity.Problems(samples, measure);
                    if (problems.Count == 0)
                    {
                        break;
                    }

                    nextCheck = problems.All(p => p.Code == ReasonCodes.TailUndersampled)
                        ? Math.Max(tailSamples, samples.Count + 1)
                        : samples.Count + Math.Max(1, samples.Count / 2);
                }
            }

            // Stop before the budget cancels us: leave room for one more call of the current speed.
            if (Stopwatch.GetElapsedTime(runStart, t1) + Stopwatch.GetElapsedTime(t0, t1) >= measure.Budget)
            {
                break;
            }
        }

        windowSeconds = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
        return samples;
    }

}
