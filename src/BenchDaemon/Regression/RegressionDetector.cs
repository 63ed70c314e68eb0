using BenchDaemon.History;
using BenchDaemon.Workloads.Canaries;
using Perfolizer.Mathematics.Distributions.ContinuousDistributions;
using Pragmastat;

namespace BenchDaemon.Regression;

/// <summary>
/// The per-run gate (docs/regression.md): the newest runs of a series against a rolling
/// baseline of the scheduled runs before them, in log space. The baseline's centre is the
/// Hodges–Lehmann estimate and its between-run scale the larger of the Shamos estimate and the
/// spread of its tails (Pragmastat), so run-to-run drift — not the spread of samples within one
/// run — sets the bounds; runs are scored against the baseline's own distribution (normal
/// scores of their ranks), so a bimodal or bursty baseline is judged by what it holds.
/// <para>
/// A regression opens only when it persists: each of the last
/// <see cref="DetectorSettings.PersistRuns"/> scheduled runs, with the confirmation re-runs
/// that followed it, is suspicious on its own, and the last <see cref="StepRuns"/> together
/// clear a threshold set for the false-alarm target. Re-runs are spaced by
/// <see cref="DetectorSettings.ConfirmationGap"/>, never outnumber scheduled runs, and are
/// judged conditionally on the run they follow, with the share of noise they have in common
/// with it measured on the series — so re-runs that share a slow moment with their run cannot
/// open a regression on their own. A level the series' history already held for as long is
/// not a regression. An open regression clears after <see cref="DetectorSettings.ClearRuns"/>
/// scheduled runs back near the frozen baseline (hysteresis: it opens on the whole minimum
/// effect and clears on half of it).
/// </para>
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

    /// <summary>Runs needed at the cap for the CUSUM to reach its threshold: one spike, or a spike and its re-run, never do.</summary>
    public const int DrawsToOpen = 3;

    /// <summary>Largest configurable number of confirmation re-runs after one scheduled run (<c>Regression:ConfirmationRuns</c>).</summary>
    public const int MaxConfirmations = 20;

    /// <summary>Largest configurable <c>Regression:PersistRuns</c> and <c>Regression:ClearRuns</c>.</summary>
    public const int MaxPersistRuns = 10;

    /// <summary>
    /// Largest score, in between-run scales, of a run beyond the baseline's range: a run ten
    /// times slower (a burst, a page-out) counts as much as one 2.5 scales slower (about the top
    /// rank of a 60-run baseline), so one
    /// moment cannot outvote the others.
    /// </summary>
    public const double ScoreCap = 2.5;

    /// <summary>Scheduled runs before the evidence whose levels the gate knows (<see cref="Held"/>).</summary>
    public const int HistoryRuns = 240;

    /// <summary>Between-run scales above the centre beyond which a level is outside a one-level series' body (<see cref="Held"/>).</summary>
    public const double HeldBodyZ = 2.5;

    /// <summary>
    /// The share ρ of a run's variance its re-runs are assumed to have in common before the
    /// series has shown its own: the prior mean of <see cref="SharedShare"/>.
    /// </summary>
    public const double SharedPrior = 0.5;

    /// <summary>The prior's standard deviation: a dozen re-run bursts outweigh it.</summary>
    public const double SharedPriorDeviation = 0.35;

    /// <summary>Scheduled runs (each with its re-runs) the step test pools: at least <see cref="DetectorSettings.PersistRuns"/>.</summary>
    public const int StepRuns = 3;

    /// <summary>Scheduled runs over which re-runs may not outnumber scheduled runs (about 2½ days at the default cadence).</summary>
    public const int ConfirmationCapRuns = 240;

    /// <summary>
    /// The threshold of the step test: Φ⁻¹(1 − 1 / <paramref name="falseAlarmRunLength"/>), 3.40
    /// at the default. The test looks at most twice per scheduled run over overlapping windows,
    /// and each run of the window must be suspicious on its own; bench/README.md measures the
    /// false alarms this gives under several kinds of noise.
    /// </summary>
    public static double StepThreshold(double falseAlarmRunLength) => s_normal.Quantile(1 - (1 / falseAlarmRunLength));

    /// <summary>
    /// Without its strongest scheduled run (with re-runs), the rest of the step window must still
    /// reach this z together: no one slow moment, which its re-runs may share, carries a verdict.
    /// </summary>
    public const double WithoutStrongestZ = 1.5;

    /// <summary>
    /// Judges the newest draw of <paramref name="draws"/> (oldest first, one segment of one
    /// series) given the regression open before it, if any.
    /// </summary>
    public static Verdict Evaluate(IReadOnlyList<Draw> draws, OpenRegression? open, DetectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(draws);
        ArgumentNullException.ThrowIfNull(settings);
        var usable = draws.Where(d => d.Value > 0 && double.IsFinite(d.Value)).ToList();
        var clean = usable.Where(d => !d.Disturbed).ToList();
        if (clean.Count == 0)
        {
            return new Verdict(open is null ? RegressionState.Learning : RegressionState.Open, null, null, null, 0, 0, open);
        }

        return open is null ? Gate(clean, usable, settings) : Follow(clean, open, settings);
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
        var upper = (Quantiles.Of(sample, 0.9) - center) / UpperTailConsistency;
        var lower = (center - Quantiles.Of(sample, 0.1)) / UpperTailConsistency;
        // A few baseline runs underestimate the scale; widen it by the standard error of a scale estimate.
        var inflation = Inflation(logs.Count);
        return (center, Math.Max(MinimumScale, Math.Max(shamos, Math.Max(upper, lower)) * inflation));
    }

    /// <summary>
    /// Whether the series already holds the level of the newest runs: the level
    /// (<paramref name="level"/>, log, oriented) lies outside the body of the series — at least
    /// <see cref="HeldBodyZ"/> of its between-run scales (Shamos) above the centre, where a
    /// one-level series does not go — and the history before the evidence stayed at or above it
    /// (within half the minimum effect) for at least as many consecutive scheduled runs as the
    /// newest runs have so far (<paramref name="streak"/>). A bimodal canary that visits its slow
    /// level, or a bursty one, is then not regressed; one that stays there longer than it ever
    /// did is.
    /// </summary>
    public static bool Held(IReadOnlyList<double> history, double center, double consistentScale, double level, int streak, double minimumEffect)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (level - center < HeldBodyZ * consistentScale)
        {
            return false;
        }

        var floor = level - (Math.Log(1 + minimumEffect) / 2);
        int run = 0, longest = 0;
        foreach (var value in history)
        {
            run = value >= floor ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest >= streak;
    }

    /// <summary>The Shamos estimate of the standard deviation of <paramref name="logs"/> (consistent for normal data).</summary>
    private static double Consistent(List<double> logs) =>
        logs.Count > 1 ? Toolkit.Spread(new Sample(logs.ToArray())).NominalValue / ShamosConsistency : 0;

    private static Verdict Gate(List<Draw> draws, List<Draw> usable, DetectorSettings settings)
    {
        // draws: the undisturbed runs, which are the evidence; usable: every run, disturbed ones
        // too, which count towards the re-run cap and may prompt a re-run.
        var newest = usable[^1];
        var groups = Groups(draws);
        var evidenceCount = Math.Min(settings.EvidenceWindow, groups.Count);
        var baselineGroups = groups.Take(groups.Count - evidenceCount).TakeLast(settings.BaselineWindow).ToList();
        if (groups.Count == 0 || baselineGroups.Count < settings.MinimumBaseline)
        {
            // Still learning: the evidence window is part of the baseline until it is full.
            return new Verdict(RegressionState.Learning, null, null, null, 0, 0, null);
        }

        var baselineDraws = baselineGroups.Select(g => g.Scheduled).ToList();
        var baselineLogs = baselineDraws.Select(d => Orient(d.Value, settings)).ToList();
        var (center, scale) = Baseline(baselineLogs);
        var consistent = Math.Max(MinimumScale, Consistent(baselineLogs));
        // Runs are scored against the baseline's own distribution (normal scores of their ranks),
        // so a level the baseline holds scores as often as it holds it; the ratio bounds use the
        // between-run scale without the small-sample widening (the statistic allows for it).
        var scoreScale = Math.Max(MinimumScale, scale / Inflation(baselineDraws.Count));
        var sorted = baselineLogs.Order().ToArray();
        double Score(Draw d)
        {
            // Inside the baseline's range a run scores by its rank; beyond it, by how far beyond
            // in between-run scales (capped): a run three times slower than anything the
            // baseline holds says more than "above all of them", above all for a small baseline.
            var x = Orient(d.Value, settings);
            var rank = NormalScore(sorted, x);
            var z = Math.Clamp((x - center) / scoreScale, -ScoreCap, ScoreCap);
            return x > sorted[^1] ? Math.Max(rank, z) : x < sorted[0] ? Math.Min(rank, z) : rank;
        }

        var persist = Math.Clamp(settings.PersistRuns, 1, evidenceCount);
        var span = Math.Clamp(StepRuns, persist, Math.Max(persist, evidenceCount));
        var window = groups.TakeLast(span).ToList();
        var shared = SharedShare(groups.Take(groups.Count - span), Score);
        var step = Step(window, Score, shared, baselineDraws.Count);
        var stepThreshold = StepThreshold(settings.FalseAlarmRunLength);
        var persisted = 0;
        for (var i = step.Groups.Length - 1; i >= 0 && step.Groups[i] >= settings.SuspicionZ; i--)
        {
            persisted++;
        }

        // A CUSUM over the scores of the evidence window's scheduled runs (Page 1954): a slower
        // shift that no three runs show at once still makes the gate ask for re-runs.
        var effect = Math.Log(1 + settings.MinimumEffect) / scale;
        // Half the minimum effect, but at least half the scale: on a noisy series the test is
        // tuned to shifts it can see in a few runs rather than to ones it never could.
        var reference = Math.Max(effect / 2, 0.5);
        var cusumThreshold = Threshold(reference, settings.FalseAlarmRunLength);
        // Three capped runs reach the threshold (the factor keeps rounding from falling short), two never do.
        var cap = reference + (cusumThreshold / DrawsToOpen * (1 + 1e-9));
        double cusum = 0;
        foreach (var g in groups.Skip(groups.Count - evidenceCount))
        {
            cusum = Math.Max(0, cusum + Math.Min(cap, Score(g.Scheduled)) - reference);
        }

        // The ratio is that of the persisting runs (the last PersistRuns with their re-runs).
        var persisting = window.TakeLast(persist).ToList();
        var persistingStep = Step(persisting, Score, shared, baselineDraws.Count);
        var (ratio, lowerBound, upperBound) = Ratio(persisting.SelectMany(g => g.All).ToList(), baselineDraws, persistingStep.Error * scoreScale);
        // Re-runs that fit between two scheduled runs: the series' own cadence over the gap.
        var fit = ConfirmationsThatFit(baselineDraws, settings);
        // Suspicious: the newest scheduled run with its re-runs (or a disturbed run after it, which
        // may prompt a re-run but not count), the run before it (a regression persists, so the
        // next run is measured as closely), the window together, or the CUSUM at its threshold.
        var latest = window[^1];
        var prompt = newest.Disturbed && newest.Time > latest.All[^1].Time && Score(newest) >= settings.SuspicionZ;
        var suspicious = step.Groups[^1] >= settings.SuspicionZ || step.Statistic >= settings.SuspicionZ
            || (latest.Confirmations.Count == 0 && step.Groups.Length > 1 && step.Groups[^2] >= settings.SuspicionZ)
            || cusum >= cusumThreshold || prompt;
        var wants = settings.Confirmation && suspicious
            && latest.Confirmations.Count < fit
            && WithinConfirmationCap(usable);

        // The step test looks once per scheduled run: when its re-runs are in (the gate wants no
        // more), never after each re-run, which would multiply its false alarms. Where re-runs do
        // not happen (none fit, or the coordinator could not run the ones asked for after the
        // run before), it looks at the scheduled run itself.
        var look = !wants || (latest.Confirmations.Count == 0 && (window.Count < 2 || window[^2].Confirmations.Count == 0));
        // Opens when the last PersistRuns scheduled runs were each suspicious (with their
        // re-runs), the scheduled runs themselves lean worse, the pooled window clears the step
        // threshold — and still clears WithoutStrongestZ without its strongest run, so that no
        // one slow moment, which its re-runs may share, carries the verdict — the change is
        // practically relevant, and the level is not one the series already holds.
        var strongest = Array.IndexOf(step.Groups, step.Groups.Max());
        var others = window.Where((_, i) => i != strongest).ToList();
        var alarm = look && persisted >= persist && window.Count == span
            && step.ScheduledMean > 0
            && step.Statistic >= stepThreshold
            && (others.Count == 0 || Step(others, Score, shared, baselineDraws.Count).Statistic >= WithoutStrongestZ)
            && Practical(Math.Log(Worse(ratio, settings)), persistingStep.Error * scoreScale, settings);
        if (alarm)
        {
            var history = groups.Take(groups.Count - evidenceCount).TakeLast(HistoryRuns)
                .Select(g => Orient(g.Scheduled.Value, settings)).ToList();
            var floor = Math.Log(1 + settings.MinimumEffect) / 2;
            var level = window.TakeLast(persist).Min(g => Toolkit.Center(new Sample(g.All.Select(d => Orient(d.Value, settings)).ToArray())).NominalValue);
            var streak = 0;
            for (var i = groups.Count - 1; i >= groups.Count - evidenceCount && Orient(groups[i].Scheduled.Value, settings) >= level - floor; i--)
            {
                streak++;
            }

            if (!Held(history, center, consistent, level, Math.Max(streak, persist), settings.MinimumEffect))
            {
                // The regression dates from the first of the runs it persisted over.
                var first = persisting[0].Scheduled;
                var openRegression = new OpenRegression(first.RunId, first.Time, center, scale, baselineDraws.Count);
                return new Verdict(RegressionState.Opened, ratio, lowerBound, upperBound, step.Statistic, stepThreshold, openRegression) { Persisted = persisted };
            }

            // A visit to a level the series already holds: nothing to confirm either.
            return new Verdict(RegressionState.Normal, ratio, lowerBound, upperBound, step.Statistic, stepThreshold, null) { Persisted = persisted };
        }

        var state = wants || persisted > 0 ? RegressionState.Suspected : RegressionState.Normal;
        return new Verdict(state, ratio, lowerBound, upperBound, step.Statistic, stepThreshold, null)
        {
            ConfirmNotBefore = wants ? newest.Time + settings.ConfirmationGap : null,
            Persisted = persisted,
        };
    }

    /// <summary>
    /// The step statistic over <paramref name="window"/>: each scheduled run's score s, and its
    /// re-runs' mean score c̄ taken conditionally on s — A = c̄ − ρ·s, which has no selection
    /// bias however the re-runs were asked for, since a run and its re-runs share ρ of their
    /// variance (mean (1 − ρ)·δ, variance (1 − ρ)(ρ + 1/r)) — weighted by their information,
    /// with the baseline centre's own error; per run and for the window together.
    /// </summary>
    private static StepEvidence Step(List<Group> window, Func<Draw, double> score, double shared, int baselineRuns)
    {
        double numerator = 0, variance = 0, coefficient = 0, scheduled = 0;
        var perGroup = new double[window.Count];
        for (var i = 0; i < window.Count; i++)
        {
            var g = window[i];
            var s = score(g.Scheduled);
            double term = s, termVariance = 1, termCoefficient = 1;
            if (g.Confirmations.Count > 0)
            {
                var r = g.Confirmations.Count;
                var adjusted = g.Confirmations.Average(score) - (shared * s);
                var adjustedVariance = (1 - shared) * (shared + (1.0 / r));
                var weight = adjustedVariance > 0 ? (1 - shared) / adjustedVariance : 0;
                term += weight * adjusted;
                termVariance += weight * weight * adjustedVariance;
                termCoefficient += weight * (1 - shared);
            }

            perGroup[i] = term / Math.Sqrt(termVariance + (termCoefficient * termCoefficient / baselineRuns));
            numerator += term;
            variance += termVariance;
            coefficient += termCoefficient;
            scheduled += s;
        }

        var total = variance + (coefficient * coefficient / baselineRuns);
        return new StepEvidence(perGroup, numerator / Math.Sqrt(total), Math.Sqrt(total) / coefficient, scheduled / window.Count);
    }

    /// <summary>
    /// Re-runs asked for after one scheduled run: <see cref="DetectorSettings.ConfirmationRuns"/>,
    /// but no more than fit, <see cref="DetectorSettings.ConfirmationGap"/> apart, before the next
    /// scheduled run at the series' usual spacing (the median gap between its baseline runs). A
    /// canary that runs more often than the gap gets none: its scheduled runs are the evidence.
    /// </summary>
    private static int ConfirmationsThatFit(List<Draw> scheduled, DetectorSettings settings)
    {
        var k = Math.Clamp(settings.ConfirmationRuns, 0, MaxConfirmations);
        if (settings.ConfirmationGap <= TimeSpan.Zero || scheduled.Count < 2)
        {
            return k;
        }

        var spacing = new double[scheduled.Count - 1];
        for (var i = 1; i < scheduled.Count; i++)
        {
            spacing[i - 1] = (scheduled[i].Time - scheduled[i - 1].Time).TotalSeconds;
        }

        var cadence = Quantiles.Of(new Sample(spacing), 0.5);
        // The last slot must end before the next scheduled run: a re-run takes time too.
        var slots = (int)Math.Floor((cadence - 1) / settings.ConfirmationGap.TotalSeconds);
        return Math.Clamp(slots, 0, k);
    }

    /// <summary>
    /// Confirmations never outnumber scheduled runs: among the runs since the
    /// <see cref="ConfirmationCapRuns"/>-th newest scheduled run (disturbed ones too), a new
    /// re-run is asked for only while re-runs are fewer than scheduled runs.
    /// </summary>
    private static bool WithinConfirmationCap(List<Draw> draws)
    {
        int scheduled = 0, confirmations = 0;
        for (var i = draws.Count - 1; i >= 0 && scheduled < ConfirmationCapRuns; i--)
        {
            if (draws[i].Confirmation)
            {
                confirmations++;
            }
            else
            {
                scheduled++;
            }
        }

        return confirmations < scheduled;
    }

    /// <summary>Scheduled runs, each with the confirmation re-runs that followed it (re-runs before the first scheduled run are dropped).</summary>
    private static List<Group> Groups(List<Draw> draws)
    {
        var groups = new List<Group>();
        foreach (var draw in draws)
        {
            if (!draw.Confirmation)
            {
                groups.Add(new Group(draw, []));
            }
            else if (groups.Count > 0)
            {
                groups[^1].Confirmations.Add(draw);
            }
        }

        return groups;
    }

    /// <summary>
    /// The share ρ of a run's between-run variance that its re-runs have in common with it (a
    /// machine slow for minutes makes a run and its re-runs slow together), measured on the
    /// series' earlier re-run runs: the slope of their first re-run's score on the run's score,
    /// combined with a normal prior (mean <see cref="SharedPrior"/>, deviation
    /// <see cref="SharedPriorDeviation"/>), so a new series is judged as if its re-runs shared
    /// half their noise until it shows otherwise.
    /// </summary>
    private static double SharedShare(IEnumerable<Group> earlier, Func<Draw, double> consistentScore)
    {
        // E[c̄ | s] = ρ·s for a run s and its re-runs c (in the same units, centred on the
        // baseline): the slope through the origin over earlier runs that were re-run. Selecting
        // runs by s, as suspicion does, leaves a regression on s unbiased.
        double sxy = 0, sxx = 0, residual = 0;
        var n = 0;
        var points = new List<(double S, double C, int R)>();
        foreach (var group in earlier.Where(g => g.Confirmations.Count > 0))
        {
            var x = consistentScore(group.Scheduled);
            // The first re-run only: whether later ones are asked for depends on the earlier ones,
            // which would bias their mean low (the burst stops when re-runs look normal).
            var y = consistentScore(group.Confirmations[0]);
            points.Add((x, y, group.Confirmations.Count));
            sxy += x * y;
            sxx += x * x;
            n++;
        }

        if (n < 2 || sxx <= 0)
        {
            return SharedPrior;
        }

        var slope = sxy / sxx;
        foreach (var (x, y, _) in points)
        {
            residual += (y - (slope * x)) * (y - (slope * x));
        }

        // Normal prior (mean SharedPrior, SD SharedPriorSd) combined with the slope's own precision.
        var slopeVariance = Math.Max(residual / (n - 1), 0.05) / sxx;
        var priorVariance = SharedPriorDeviation * SharedPriorDeviation;
        var posterior = ((slope / slopeVariance) + (SharedPrior / priorVariance)) / ((1 / slopeVariance) + (1 / priorVariance));
        return Math.Clamp(posterior, 0, 1);
    }

    /// <summary>
    /// The normal score of <paramref name="x"/> against the baseline's empirical distribution
    /// (<paramref name="sorted"/>): Φ⁻¹ of its mid-rank (van der Waerden). A run at a level the
    /// baseline already holds — a bimodal canary's slow mode, a level bursts often reach — scores
    /// as often as the baseline holds it, whatever the shape; for a one-level normal series it is
    /// the ordinary z. Bounded by the baseline's size (±2.4 for 60 runs).
    /// </summary>
    private static double NormalScore(double[] sorted, double x)
    {
        var below = LowerBound(sorted, x);
        var equal = LowerBound(sorted, Math.BitIncrement(x)) - below;
        var p = (below + (0.5 * equal) + 0.5) / (sorted.Length + 1);
        return s_normal.Quantile(p);
    }

    // First index whose value is not below x.
    private static int LowerBound(double[] sorted, double x)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) / 2;
            (low, high) = sorted[mid] < x ? (mid + 1, high) : (low, mid);
        }

        return low;
    }

    private static readonly NormalDistribution s_normal = new(0, 1);

    private static double Worse(double ratio, DetectorSettings settings) => settings.HigherIsWorse ? ratio : 1 / ratio;

    /// <summary>Widening of a baseline scale from <paramref name="runs"/> runs by the standard error of a scale estimate.</summary>
    private static double Inflation(int runs) => 1 + (0.5 / Math.Sqrt(Math.Max(1, runs - 1)));

    /// <summary>
    /// Whether a log shift matters in practice: its worse 97.5 % bound reaches the minimum effect
    /// (a change proven smaller never alarms) and the estimate half of it.
    /// </summary>
    private static bool Practical(double shift, double error, DetectorSettings settings) =>
        shift + (PracticalZ * error) >= Math.Log(1 + settings.MinimumEffect)
        && shift >= Math.Log(1 + (settings.MinimumEffect / 2));

    private static Verdict Follow(List<Draw> draws, OpenRegression open, DetectorSettings settings)
    {
        // The regression is judged against its frozen baseline over the scheduled runs since it
        // started; it clears only after ClearRuns of them in a row are back (hysteresis: the
        // band to clear is half the one to open).
        var since = draws.Where(d => !d.Confirmation && d.RunId > open.StartRunId && d.Time >= open.StartTime).ToList();
        var clearRuns = Math.Clamp(settings.ClearRuns, 1, MaxPersistRuns);
        var recent = since.TakeLast(clearRuns).ToList();
        if (recent.Count == 0)
        {
            recent = [draws[^1]];
        }

        var logs = recent.Select(d => Orient(d.Value, settings)).ToList();
        var center = logs.Count > 1 ? Toolkit.Center(new Sample(logs.ToArray())).NominalValue : logs[0];
        var shift = center - open.BaselineCenter;
        var margin = BoundZ * open.BaselineScale * Math.Sqrt((1.0 / logs.Count) + (1.0 / open.BaselineRuns));
        var (ratio, lowerBound, upperBound) = Measured(shift, margin, settings);
        var cleared = since.Count >= clearRuns
            && shift <= Math.Log(1 + settings.MinimumEffect) / 2
            && logs.All(l => l - open.BaselineCenter < Math.Log(1 + settings.MinimumEffect));
        return cleared
            ? new Verdict(RegressionState.Cleared, ratio, lowerBound, upperBound, 0, 0, null)
            : new Verdict(RegressionState.Open, ratio, lowerBound, upperBound, 0, 0, open);
    }

    private static (double Ratio, double Lower, double Upper) Ratio(List<Draw> current, List<Draw> baseline, double error)
    {
        // Pragmastat's Ratio: the median of all pairwise ratios current/baseline (Hodges–Lehmann);
        // bounds from the step estimate's standard error.
        var ratio = Toolkit.Ratio(new Sample(current.Select(d => d.Value).ToArray()), new Sample(baseline.Select(d => d.Value).ToArray())).NominalValue;
        var margin = BoundZ * error;
        return (ratio, ratio * Math.Exp(-margin), ratio * Math.Exp(margin));
    }

    private static (double Ratio, double Lower, double Upper) Measured(double orientedShift, double margin, DetectorSettings settings)
    {
        var log = settings.HigherIsWorse ? orientedShift : -orientedShift;
        return (Math.Exp(log), Math.Exp(log - margin), Math.Exp(log + margin));
    }

    private static double Orient(double value, DetectorSettings settings) => settings.HigherIsWorse ? Math.Log(value) : -Math.Log(value);

    /// <summary>The median of <paramref name="values"/> (0 when there are none).</summary>
    internal static double Median(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Count == 0 ? 0 : Quantiles.Median([.. values]);
    }


    /// <summary>A scheduled run and the confirmation re-runs that followed it.</summary>
    private sealed record Group(Draw Scheduled, List<Draw> Confirmations)
    {
        public List<Draw> All => [Scheduled, .. Confirmations];
    }

    /// <summary>The step statistic per scheduled run and for the window, the standard error of a shift estimate (score units), and the scheduled runs' mean score.</summary>
    private sealed record StepEvidence(double[] Groups, double Statistic, double Error, double ScheduledMean);
}
