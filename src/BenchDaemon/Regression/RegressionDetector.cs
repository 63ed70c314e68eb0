using Perfolizer.Mathematics.Distributions.ContinuousDistributions;
using Pragmastat;

namespace BenchDaemon.Regression;

/// <summary>
/// The per-run gate (docs/regression.md): the newest runs of a series against a rolling
/// baseline of the runs before them, in log space. The baseline's centre is the
/// Hodges–Lehmann estimate and its between-run scale the larger of the Shamos estimate and the
/// spread of its upper tail (Pragmastat), so run-to-run drift — not the spread of samples
/// within one run — sets the bounds. Two tests open an alarm: a confirmation test (a scheduled
/// run past a lenient suspicion threshold is re-run k times at once, and the re-runs alone —
/// never the suspicious run — must clear a threshold set so that suspicion × confirmation stays
/// within the false-alarm target) for steps, and a one-sided CUSUM over the newest scheduled
/// runs, each run's contribution capped so that one spike cannot open an alarm, for slow
/// shifts. The ratio is Pragmastat's Hodges–Lehmann ratio estimate.
/// </summary>
public static class RegressionDetector
{
    /// <summary>Median of |X − Y| over the standard deviation for normal X, Y: √2 · Φ⁻¹(0.75).</summary>
    private const double ShamosConsistency = 0.9538725524;

    /// <summary>Φ⁻¹(0.9): turns the 90th-percentile distance from the centre into a standard deviation.</summary>
    private const double UpperTailConsistency = 1.2815515655;

    /// <summary>Φ⁻¹(0.95): the ratio bounds are 90 % two-sided (95 % each side).</summary>
    private const double BoundZ = 1.6448536270;

    /// <summary>
    /// Φ⁻¹(0.975): the practical test asks whether the 97.5 % one-sided bound still reaches the
    /// minimum effect, so a change of exactly the minimum effect passes it 39 times in 40 and a
    /// change well below it almost never.
    /// </summary>
    private const double PracticalZ = 1.9599639845;

    /// <summary>Smallest between-run scale assumed (0.5 % CV): no canary repeats better than that.</summary>
    public const double MinimumScale = 0.005;

    /// <summary>Draws needed at the cap to open an alarm: one spike, or a spike and its re-run, never do.</summary>
    public const int DrawsToOpen = 3;

    /// <summary>Largest configurable number of immediate re-runs after one scheduled run (<c>Regression:ConfirmationRuns</c>).</summary>
    public const int MaxConfirmations = 20;

    /// <summary>
    /// The z the mean of the independent confirmation re-runs must reach (in
    /// standard errors of that mean) so that a stationary series opens at most one alarm in
    /// <paramref name="falseAlarmRunLength"/> scheduled runs through this test: the chance of a
    /// suspicion, 1 − Φ(<paramref name="suspicionZ"/>), times the chance the re-runs agree.
    /// </summary>
    public static double ConfirmationThreshold(double suspicionZ, double falseAlarmRunLength)
    {
        var normal = new NormalDistribution(0, 1);
        var suspicion = 1 - normal.Cdf(suspicionZ);
        var confirm = Math.Min(0.5, 1 / (falseAlarmRunLength * suspicion));
        return normal.Quantile(1 - confirm);
    }

    /// <summary>
    /// Judges the newest draw of <paramref name="draws"/> (oldest first, one segment of one
    /// series) given the regression open before it, if any.
    /// </summary>
    public static Verdict Evaluate(IReadOnlyList<Draw> draws, OpenRegression? open, DetectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(draws);
        ArgumentNullException.ThrowIfNull(settings);
        var usable = draws.Where(d => d.Value > 0 && double.IsFinite(d.Value)).ToList();
        if (usable.Count == 0)
        {
            return new Verdict(open is null ? RegressionState.Learning : RegressionState.Open, null, null, null, 0, 0, open);
        }

        return open is null ? Gate(usable, settings) : Follow(usable, open, settings);
    }

    /// <summary>The CUSUM threshold for a mean false-alarm run length (Siegmund's approximation, solved by bisection).</summary>
    public static double Threshold(double reference, double runLength)
    {
        double Arl(double h)
        {
            var b = 2 * reference * (h + 1.166);
            return (Math.Exp(b) - b - 1) / (2 * reference * reference);
        }

        double low = 0, high = 1;
        while (Arl(high) < runLength && high < 1e6)
        {
            high *= 2;
        }

        for (var i = 0; i < 100; i++)
        {
            var mid = (low + high) / 2;
            (low, high) = Arl(mid) < runLength ? (mid, high) : (low, mid);
        }

        return high;
    }

    /// <summary>Centre and between-run scale of log values, oriented so larger is worse.</summary>
    public static (double Center, double Scale) Baseline(IReadOnlyList<double> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var sample = new Sample(logs.ToArray());
        var center = logs.Count > 1 ? Toolkit.Center(sample).NominalValue : logs[0];
        var shamos = logs.Count > 1 ? Toolkit.Spread(sample).NominalValue / ShamosConsistency : 0;
        var sorted = logs.Order().ToArray();
        var upper = (Quantile(sorted, 0.9) - center) / UpperTailConsistency;
        var lower = (center - Quantile(sorted, 0.1)) / UpperTailConsistency;
        // A few baseline runs underestimate the scale; widen it by the standard error of a scale estimate.
        var inflation = Inflation(logs.Count);
        return (center, Math.Max(MinimumScale, Math.Max(shamos, Math.Max(upper, lower)) * inflation));
    }

    /// <summary>The Shamos estimate of the standard deviation of <paramref name="logs"/> (consistent for normal data).</summary>
    private static double Consistent(List<double> logs) =>
        logs.Count > 1 ? Toolkit.Spread(new Sample(logs.ToArray())).NominalValue / ShamosConsistency : 0;

    private static Verdict Gate(List<Draw> draws, DetectorSettings settings)
    {
        // Re-runs asked for by the gate never enter the baseline or the CUSUM: they are judged
        // only by the confirmation test of the scheduled run they follow.
        var reruns = ConfirmationsSinceScheduled(draws);
        var scheduled = draws.Take(draws.Count - reruns).Where(d => !d.Confirmation).ToList();
        var evidenceCount = Math.Min(settings.EvidenceWindow, scheduled.Count);
        var baselineDraws = scheduled.Take(scheduled.Count - evidenceCount).TakeLast(settings.BaselineWindow).ToList();
        if (scheduled.Count == 0 || baselineDraws.Count < settings.MinimumBaseline)
        {
            // Still learning: the evidence window is part of the baseline until it is full.
            return new Verdict(RegressionState.Learning, null, null, null, 0, 0, null);
        }

        var baselineLogs = baselineDraws.Select(d => Orient(d.Value, settings)).ToList();
        var (center, scale) = Baseline(baselineLogs);
        var effect = Math.Log(1 + settings.MinimumEffect) / scale;
        // Half the minimum effect, but at least half the scale: on a noisy series the test is
        // tuned to shifts it can see in a few runs rather than to ones it never could.
        var reference = Math.Max(effect / 2, 0.5);
        var threshold = Threshold(reference, settings.FalseAlarmRunLength);
        // Three capped draws reach the threshold (the factor keeps rounding from falling short), two never do.
        var cap = reference + (threshold / DrawsToOpen * (1 + 1e-9));

        var evidence = scheduled.Skip(scheduled.Count - evidenceCount).ToList();
        double cusum = 0;
        var start = 0;
        for (var i = 0; i < evidence.Count; i++)
        {
            var z = Math.Min(cap, (Orient(evidence[i].Value, settings) - center) / scale);
            if (cusum <= 0)
            {
                start = i;
            }

            cusum = Math.Max(0, cusum + z - reference);
        }

        var newest = evidence[^1];
        var newestZ = (Orient(newest.Value, settings) - center) / scale;
        // Suspicion is measured on the consistent scale: the tail guards and small-sample widening
        // protect the CUSUM from one-sided tails, but would make a re-run rarer than SuspicionZ says.
        var consistentScale = Math.Max(MinimumScale, Consistent(baselineLogs));
        var suspicionZ = (Orient(newest.Value, settings) - center) / consistentScale;
        var k = settings.Confirmation ? Math.Clamp(settings.ConfirmationRuns, 0, MaxConfirmations) : 0;
        if (k > 0 && reruns > 0)
        {
            // The confirmation threshold already allows for the scale's estimation error, so the
            // re-runs are measured against the baseline scale without the small-sample widening;
            // its tail guards stay, so re-runs that fall into a slow mode are not a shift.
            var confirmScale = Math.Max(MinimumScale, scale / Inflation(baselineDraws.Count));
            var alarmStart = cusum >= threshold ? evidence[start] : (Draw?)null;
            return Confirm(draws, reruns, k, baselineDraws, (center, confirmScale, consistentScale), (cusum, reference, alarmStart), settings);
        }

        var segment = cusum > 0 ? evidence.Skip(start).ToList() : [newest];
        var (ratio, lowerBound, upperBound) = Ratio(segment, baselineDraws, scale);
        var practical = Practical(ratio, scale, segment.Count, baselineDraws.Count, settings);
        var cusumAlarm = cusum >= threshold && practical && newestZ > reference;
        if (cusumAlarm && k == 0)
        {
            var open = new OpenRegression(segment[0].RunId, segment[0].Time, center, scale, baselineDraws.Count);
            return new Verdict(RegressionState.Opened, ratio, lowerBound, upperBound, cusum, threshold, open);
        }

        // With confirmation, a CUSUM alarm too opens only when the re-runs agree.
        var suspected = k > 0 && (suspicionZ >= settings.SuspicionZ || cusumAlarm);
        return new Verdict(suspected ? RegressionState.Suspected : RegressionState.Normal, ratio, lowerBound, upperBound, cusum, threshold, null);
    }

    /// <summary>
    /// The confirmation test: the re-runs after a suspicious scheduled run, judged on their own
    /// (the suspicious run picked itself by being high, so it would bias them). More re-runs are
    /// asked for until there are k, or until half of them sit at or below the baseline centre.
    /// The re-runs of up to <see cref="DrawsToOpen"/> consecutive suspicious scheduled runs are
    /// pooled: each is an unbiased draw of the level at its moment, so a step that a first
    /// suspicion's re-runs missed narrowly is confirmed by the next one's.
    /// </summary>
    private static Verdict Confirm(List<Draw> draws, int reruns, int k, List<Draw> baselineDraws, (double Center, double Scale, double Consistent) level, (double Value, double Reference, Draw? AlarmStart) cusum, DetectorSettings settings)
    {
        var (center, scale) = (level.Center, level.Scale);
        var current = draws.TakeLast(reruns).ToList();
        var suspicious = draws[^(reruns + 1)];
        var pool = new List<Draw>(current);
        var bursts = new List<int> { current.Count };
        var first = suspicious;
        for (int i = draws.Count - reruns - 2, runs = 1; i >= 0 && runs < DrawsToOpen && draws[i].Confirmation; runs++)
        {
            // draws[i] is the last re-run of an earlier suspicious scheduled run.
            var before = pool.Count;
            while (i >= 0 && draws[i].Confirmation)
            {
                pool.Add(draws[i--]);
            }

            bursts.Add(pool.Count - before);

            if (i < 0)
            {
                break;
            }

            first = draws[i--];
        }

        // The re-runs' own spread is pooled with the baseline's: re-runs that fall partly into a
        // slow mode (a bimodal canary) widen the scale, so they read as noisy, not shifted.
        var logs = pool.Select(d => Orient(d.Value, settings)).ToList();
        if (logs.Count > 1)
        {
            var mean = logs.Average();
            var rerunVariance = logs.Sum(l => (l - mean) * (l - mean)) / (logs.Count - 1);
            var baselineDegrees = Math.Max(1, baselineDraws.Count - 1);
            scale = Math.Sqrt(((baselineDegrees * scale * scale) + ((logs.Count - 1) * rerunVariance)) / (baselineDegrees + logs.Count - 1));
        }

        var currentMean = current.Average(d => (Orient(d.Value, settings) - center) / scale);
        var zs = pool.Select(d => (Orient(d.Value, settings) - center) / scale).ToList();
        // A two-sample statistic: the baseline centre is itself an estimate from its runs. Re-runs
        // of one burst share the moment they ran in: the share of their variance they have in
        // common (measured on the series' earlier bursts) does not shrink with their number.
        var pooled = pool.Select(d => d.RunId).ToHashSet();
        var shared = SharedShare(draws, pooled, level.Consistent, settings);
        var total = (double)zs.Count;
        var meanVariance = (shared * bursts.Sum(m => (double)m * m) / (total * total)) + ((1 - shared) / total);
        var statistic = zs.Average() / Math.Sqrt(meanVariance + (1.0 / baselineDraws.Count));
        var confirmThreshold = ConfirmationThreshold(settings.SuspicionZ, settings.FalseAlarmRunLength);
        var (ratio, lowerBound, upperBound) = Ratio(pool, baselineDraws, scale);
        if (current.Count < k)
        {
            // Stop early when the re-runs so far show nothing: two at or below the baseline
            // centre on average, or half of k within half a scale of it.
            var futile = (current.Count >= 2 && currentMean <= 0) || (current.Count >= (k + 1) / 2 && currentMean < 0.5);
            return new Verdict(futile ? RegressionState.Normal : RegressionState.Suspected, ratio, lowerBound, upperBound, statistic, confirmThreshold, null);
        }

        // Practical: the worse bound reaches the minimum effect and the estimate half of it, so a
        // real but smaller change (or a slow mode the re-runs fell into) does not open an alarm.
        var practical = Practical(ratio, scale, pool.Count, baselineDraws.Count, settings)
            && Worse(ratio, ratio, settings) >= 1 + (settings.MinimumEffect / 2);
        if (statistic >= confirmThreshold && practical && currentMean > 0)
        {
            var open = new OpenRegression(first.RunId, first.Time, center, scale, baselineDraws.Count);
            return new Verdict(RegressionState.Opened, ratio, lowerBound, upperBound, statistic, confirmThreshold, open);
        }

        // A CUSUM alarm over the scheduled runs (a slower, sustained shift) opens when the re-runs agree: past its reference.
        if (cusum.AlarmStart is { } since && practical && currentMean > cusum.Reference)
        {
            var open = new OpenRegression(since.RunId, since.Time, center, scale, baselineDraws.Count);
            return new Verdict(RegressionState.Opened, ratio, lowerBound, upperBound, cusum.Value, confirmThreshold, open);
        }

        return new Verdict(RegressionState.Normal, ratio, lowerBound, upperBound, Math.Max(cusum.Value, statistic), confirmThreshold, null);
    }

    /// <summary>Re-run degrees of freedom needed before <see cref="SharedShare"/> is estimated at all.</summary>
    public const int MinimumSharedDegrees = 60;

    /// <summary>
    /// The share of a run's between-run variance that its immediate re-runs have in common (a
    /// machine slow for minutes makes a suspicious run and its re-runs slow together): one minus
    /// the variance within the series' earlier re-run bursts over the between-run variance of its
    /// baseline, the former inflated by a quarter so that estimation noise on a series whose
    /// re-runs are independent rarely reads as sharing. Zero until the earlier bursts give
    /// <see cref="MinimumSharedDegrees"/> degrees of freedom.
    /// </summary>
    private static double SharedShare(List<Draw> draws, HashSet<long> exclude, double betweenScale, DetectorSettings settings)
    {
        double squares = 0;
        var degrees = 0;
        var burst = new List<double>();
        foreach (var draw in draws.Append(new Draw(long.MinValue, default, 1, false)))
        {
            if (draw.Confirmation && !exclude.Contains(draw.RunId))
            {
                burst.Add(Orient(draw.Value, settings));
                continue;
            }

            if (burst.Count >= 2)
            {
                var mean = burst.Average();
                squares += burst.Sum(l => (l - mean) * (l - mean));
                degrees += burst.Count - 1;
            }

            burst.Clear();
        }

        return degrees < MinimumSharedDegrees || betweenScale <= 0
            ? 0
            : Math.Clamp(1 - (1.25 * squares / degrees / (betweenScale * betweenScale)), 0, 1);
    }

    /// <summary>Widening of a baseline scale from <paramref name="runs"/> runs by the standard error of a scale estimate.</summary>
    private static double Inflation(int runs) => 1 + (0.5 / Math.Sqrt(Math.Max(1, runs - 1)));

    /// <summary>Whether the worse 97.5 % bound of <paramref name="ratio"/> reaches the minimum effect.</summary>
    private static bool Practical(double ratio, double scale, int current, int baseline, DetectorSettings settings)
    {
        var margin = PracticalZ * scale * Math.Sqrt((1.0 / current) + (1.0 / baseline));
        return Worse(ratio * Math.Exp(-margin), ratio * Math.Exp(margin), settings) >= 1 + settings.MinimumEffect;
    }

    private static double Worse(double lower, double upper, DetectorSettings settings) => settings.HigherIsWorse ? upper : 1 / lower;

    private static Verdict Follow(List<Draw> draws, OpenRegression open, DetectorSettings settings)
    {
        // The regression is judged against its frozen baseline over the last few scheduled runs.
        var recent = draws.Where(d => d.Time >= open.StartTime).TakeLast(DrawsToOpen).ToList();
        if (recent.Count == 0)
        {
            recent = [draws[^1]];
        }

        var logs = recent.Select(d => Orient(d.Value, settings)).ToList();
        var center = logs.Count > 1 ? Toolkit.Center(new Sample(logs.ToArray())).NominalValue : logs[0];
        var shift = center - open.BaselineCenter;
        var margin = BoundZ * open.BaselineScale * Math.Sqrt((1.0 / logs.Count) + (1.0 / open.BaselineRuns));
        var (ratio, lowerBound, upperBound) = Measured(shift, margin, settings);
        var cleared = recent.Count >= Math.Min(DrawsToOpen, draws.Count)
            && shift <= Math.Log(1 + settings.MinimumEffect) / 2
            && recent.All(d => Orient(d.Value, settings) - open.BaselineCenter < Math.Log(1 + settings.MinimumEffect));
        return cleared
            ? new Verdict(RegressionState.Cleared, ratio, lowerBound, upperBound, 0, 0, null)
            : new Verdict(RegressionState.Open, ratio, lowerBound, upperBound, 0, 0, open);
    }

    private static (double Ratio, double Lower, double Upper) Ratio(List<Draw> current, List<Draw> baseline, double scale)
    {
        // Pragmastat's Ratio: the median of all pairwise ratios current/baseline (Hodges–Lehmann).
        var ratio = Toolkit.Ratio(new Sample(current.Select(d => d.Value).ToArray()), new Sample(baseline.Select(d => d.Value).ToArray())).NominalValue;
        var margin = BoundZ * scale * Math.Sqrt((1.0 / current.Count) + (1.0 / baseline.Count));
        return (ratio, ratio * Math.Exp(-margin), ratio * Math.Exp(margin));
    }

    private static (double Ratio, double Lower, double Upper) Measured(double orientedShift, double margin, DetectorSettings settings)
    {
        var log = settings.HigherIsWorse ? orientedShift : -orientedShift;
        return (Math.Exp(log), Math.Exp(log - margin), Math.Exp(log + margin));
    }

    private static int ConfirmationsSinceScheduled(List<Draw> draws)
    {
        var count = 0;
        for (var i = draws.Count - 1; i >= 0 && draws[i].Confirmation; i--)
        {
            count++;
        }

        return count;
    }

    private static double Orient(double value, DetectorSettings settings) => settings.HigherIsWorse ? Math.Log(value) : -Math.Log(value);

    private static double Quantile(double[] sorted, double p)
    {
        var position = p * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }
}
