using BenchDaemon.Regression;

namespace BenchDaemon.Tests.Regression;

/// <summary>The gate on seeded synthetic series with known truth (docs/regression.md), scheduled every 15 minutes.</summary>
public sealed class RegressionDetectorTests
{
    private const int Learning = 72;

    [Theory]
    [InlineData(0.02, 1)]
    [InlineData(0.03, 2)]
    [InlineData(0.10, 3)]
    [InlineData(0.30, 4)]
    public void Stationary_LogNormal_AtMostOneFalseAlarmIn2000Runs(double cv, int seed)
    {
        var series = new SyntheticSeries(seed, cv);
        var gate = new GateDriver(new DetectorSettings(0.05));

        for (var i = 0; i < 2000; i++)
        {
            gate.Feed(series.Next(0.010), () => series.Next(0.010));
        }

        // The goal is at most 1 per 1 000 runs (bench/README.md measures the rate over 30 000).
        Assert.True(gate.Opened <= 1, $"{gate.Opened} false alarms");
    }

    [Theory]
    [InlineData(0.03)]
    [InlineData(0.10)]
    public void CorrelatedReRuns_HalfTheVarianceShared_NoVerdictIn3000Runs(double cv)
    {
        // Each run's re-runs share half of its log variance however far apart they are (a machine
        // slow for a while; the worst case for spaced re-runs). Judged as independent, the old
        // gate's re-runs inherited the suspicious run's selection: 16-35 false alarms per 1 000
        // runs. Conditioning the re-runs on their run, with the share measured on the series, and
        // persistence over scheduled runs (which do not share a moment) leave none here.
        var half = Math.Sqrt(Math.Exp(Math.Log(1 + (cv * cv)) / 2) - 1); // the CV of half the log variance
        var moments = new SyntheticSeries(91, half);
        var own = new SyntheticSeries(92, half);
        var gate = new GateDriver(new DetectorSettings(0.05));

        for (var i = 0; i < 3000; i++)
        {
            var moment = moments.Next(1);
            gate.Feed(moment * own.Next(0.010), () => moment * own.Next(0.010));
        }

        Assert.True(gate.Reruns > 300, $"{gate.Reruns} re-runs: the shared share was never put to the test");
        Assert.True(gate.Opened <= 1, $"{gate.Opened} false alarms in 3 000 runs");
    }

    [Fact]
    public void Bursty_OneRunInThirtySlowedByAQuarter_AtMostTwoVerdictsIn24000Runs()
    {
        // mobilenet_v2 on the soak machine: stationary at 4.6 ms, with single runs at 5.8-6.0 ms
        // (26-30 % slower) every minute or two. A burst slows one run (scheduled or re-run), not
        // the runs minutes apart. Eight series of 3 000 runs: six open nothing, two open one
        // each (runs of groups that each caught a burst); the goal allows 24.
        var opened = 0;
        var reruns = 0;
        for (var seed = 21; seed < 37; seed += 2)
        {
            var series = new SyntheticSeries(seed, 0.03);
            var bursts = new Random(seed + 1);
            double Next() => series.Next(0.010) * (bursts.NextDouble() < 1 / 30.0 ? 1.26 + (0.04 * bursts.NextDouble()) : 1);
            var gate = new GateDriver(new DetectorSettings(0.05));
            for (var i = 0; i < 3000; i++)
            {
                gate.Feed(Next(), Next);
            }

            opened += gate.Opened;
            reruns += gate.Reruns;
        }

        Assert.True(reruns > 2400, $"{reruns} re-runs: bursts never made a run suspicious");
        Assert.True(opened <= 2, $"{opened} false alarms in 24 000 runs");
    }

    [Fact]
    public void Bimodal_RunsSwitchingBetweenTwoLevels_NoVerdictIn3000Runs()
    {
        // resnet-mini on the soak machine: run after run at one of two levels. One run in five
        // 25 % slower: a level the baseline holds, scored as often as it holds it.
        var series = new SyntheticSeries(6, 0.02);
        var modes = new Random(60);
        double Next() => series.Next(modes.NextDouble() < 0.2 ? 0.0125 : 0.010);
        var gate = new GateDriver(new DetectorSettings(0.05));

        for (var i = 0; i < 3000; i++)
        {
            gate.Feed(Next(), Next);
        }

        Assert.True(gate.Opened == 0, $"{gate.Opened} false alarms");
    }

    [Fact]
    public void FivePercentStep_AtCv3_MostOpenWithinThreeScheduledRuns()
    {
        // A 5 % step at 3 % between-run CV (1.6 scales): the re-runs between scheduled runs
        // count towards the run they follow (bench/README.md: 73 % within 3 runs, 98 % within
        // 10, over 300 series).
        var delays = new List<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            delays.Add(Delay(new SyntheticSeries(500 + seed, 0.03), 0.05) ?? int.MaxValue);
        }

        Assert.True(delays.Count(d => d <= 3) >= 24, $"delays: {string.Join(", ", delays)}");
        Assert.True(delays.Count(d => d <= 10) >= 37, $"delays: {string.Join(", ", delays)}");
        // Persistence: never on the first scheduled run at the new level.
        Assert.DoesNotContain(1, delays);
    }

    [Theory]
    [InlineData(0.03, 0.10, 3, 19)]
    [InlineData(0.02, 0.20, 2, 19)]
    [InlineData(0.10, 0.50, 3, 19)]
    // At 30 % between-run CV a 50 % step is 1.4 scales: each scheduled run must be suspicious on
    // its own and the re-runs count for less until the series has shown they are independent,
    // so this takes longer than with the old gate (12 runs for 17 of 20 then, 15 now).
    [InlineData(0.30, 0.50, 15, 17)]
    public void Step_Detected_WithinRuns(double cv, double step, int maxDelay, int ofTwenty)
    {
        var delays = new List<int>();
        for (var seed = 0; seed < 20; seed++)
        {
            delays.Add(Delay(new SyntheticSeries(100 + seed, cv), step) ?? int.MaxValue);
        }

        Assert.True(delays.Count(d => d <= maxDelay) >= ofTwenty, $"delays: {string.Join(", ", delays)}");
    }

    [Fact]
    public void Step_BelowMinimumEffect_MostSeriesNeverAlarm()
    {
        // A 2 % step at CV 2 %: real, but below the 5 % that matters. The practical test (the
        // estimate must reach half the minimum effect, the worse bound the whole of it) keeps
        // most looks quiet, but with a verdict judged on every run for 300 runs a noisy estimate
        // passes now and then (bench/README.md: 12 % of series within 10 runs; the old gate,
        // whose re-runs measured less, 1 %).
        var opened = 0;
        for (var seed = 0; seed < 10; seed++)
        {
            var series = new SyntheticSeries(300 + seed, 0.02);
            var gate = new GateDriver(new DetectorSettings(0.05));
            for (var i = 0; i < Learning + 300; i++)
            {
                var level = i >= Learning ? 0.0102 : 0.010;
                gate.Feed(series.Next(level), () => series.Next(level));
            }

            opened += gate.Opened;
        }

        Assert.True(opened <= 5, $"{opened} alarms on a 2 % step");
    }

    [Fact]
    public void SingleSpikes_NeverAlarm()
    {
        var series = new SyntheticSeries(5, 0.03);
        var gate = new GateDriver(new DetectorSettings(0.05));

        for (var i = 0; i < 1000; i++)
        {
            // Every 25th run is three times slower (a noisy neighbour for one run); re-runs are clean.
            var value = i % 25 == 24 ? 3 * series.Next(0.010) : series.Next(0.010);
            gate.Feed(value, () => series.Next(0.010));
        }

        Assert.Equal(0, gate.Opened);
    }

    [Fact]
    public void ReRunsSharingTheirRunsSlowMoment_CannotOpenOnTheirOwn()
    {
        // Every 40th scheduled run lands in a slow moment that lasts through all its re-runs
        // (30 % slower together); the scheduled runs around it are normal. However strongly the
        // re-runs agree, one scheduled run is not a persistent regression.
        var series = new SyntheticSeries(31, 0.02);
        var gate = new GateDriver(new DetectorSettings(0.05));
        var slowMomentReruns = 0;

        for (var i = 0; i < 2000; i++)
        {
            var slow = i % 40 == 39;
            var before = gate.Reruns;
            gate.Feed(series.Next(slow ? 0.013 : 0.010), () => series.Next(slow ? 0.013 : 0.010));
            slowMomentReruns += slow ? gate.Reruns - before : 0;
        }

        Assert.True(slowMomentReruns > 50, $"{slowMomentReruns} re-runs in slow moments: they were not asked for");
        Assert.Equal(0, gate.Opened);
    }

    [Fact]
    public void SlowDrift_GateStaysQuiet_ChangePointsDateIt()
    {
        // +10 % over 400 runs (0.025 % per run): the rolling baseline follows about 40 runs behind
        // (1 %, well below half the minimum effect), the history tier finds the drift. A drift
        // whose lag passes half the minimum effect (+20 % over 400 runs: 2-4 %) is reported by the
        // gate, more often than by the old one, whose re-runs measured less (docs/regression.md).
        var series = new SyntheticSeries(7, 0.02);
        var reruns = new SyntheticSeries(70, 0.02);
        var gate = new GateDriver(new DetectorSettings(0.05));
        var draws = new List<Draw>();
        for (var i = 0; i < 600; i++)
        {
            var level = 0.010 * (i < 100 ? 1 : i < 500 ? 1 + (0.1 * (i - 100) / 400) : 1.1);
            var value = series.Next(level);
            draws.Add(new Draw(i, DateTimeOffset.UnixEpoch.AddMinutes(i), value, false));
            gate.Feed(value, () => reruns.Next(level));
        }

        var points = ChangePointAnalysis.Find(draws, 10, 0.02);

        Assert.True(gate.Opened <= 1, $"{gate.Opened} alarms on a slow drift");
        Assert.NotEmpty(points);
        Assert.All(points, p => Assert.InRange(p.Index, 90, 510));
        // ED-PELT cuts a ramp into steps; each kept step is upward and at least the minimum effect given.
        Assert.All(points, p => Assert.True(p.Ratio >= 1.02, $"{p.Index}: {p.Before} → {p.After}"));
    }

    [Fact]
    public void Regression_Clears_WhenSeriesReturns()
    {
        var series = new SyntheticSeries(8, 0.03);
        var gate = new GateDriver(new DetectorSettings(0.05));
        for (var i = 0; i < Learning + 40; i++)
        {
            var level = i >= Learning && i < Learning + 20 ? 0.013 : 0.010;
            gate.Feed(series.Next(level), () => series.Next(level));
        }

        Assert.Equal(1, gate.Opened);
        Assert.Equal(1, gate.Cleared);
        Assert.Null(gate.Open);
    }

    [Fact]
    public void OpenRegression_ClearsOnlyAfterClearRunsScheduledRunsBack()
    {
        // Hysteresis: two good runs in a row do not close it, the third does; re-runs never count.
        var series = new SyntheticSeries(32, 0.02);
        var gate = new GateDriver(new DetectorSettings(0.05));
        for (var i = 0; i < Learning; i++)
        {
            gate.Feed(series.Next(0.010), () => series.Next(0.010));
        }

        for (var i = 0; i < 6 && gate.Open is null; i++)
        {
            gate.Feed(series.Next(0.013), () => series.Next(0.013));
        }

        Assert.NotNull(gate.Open);
        Assert.Equal(RegressionState.Open, gate.Feed(0.010, () => 0.010));
        Assert.Equal(RegressionState.Open, gate.Feed(0.010, () => 0.010));
        // A slow run in between restarts the count.
        Assert.Equal(RegressionState.Open, gate.Feed(0.013, () => 0.013));
        Assert.Equal(RegressionState.Open, gate.Feed(0.010, () => 0.010));
        Assert.Equal(RegressionState.Open, gate.Feed(0.010, () => 0.010));
        Assert.Equal(RegressionState.Cleared, gate.Feed(0.010, () => 0.010));
    }

    [Fact]
    public void DisturbedRuns_NeverConfirm_ButMayPromptAReRun()
    {
        var series = new SyntheticSeries(33, 0.02);
        var gate = new GateDriver(new DetectorSettings(0.05));
        for (var i = 0; i < Learning; i++)
        {
            gate.Feed(series.Next(0.010), () => series.Next(0.010));
        }

        // Disturbed scheduled runs 30 % slower, and their prompted re-runs disturbed too: never a verdict.
        var first = gate.Feed(0.013, () => 0.013, disturbed: true);
        var prompted = gate.Reruns;
        for (var i = 0; i < 20; i++)
        {
            gate.Feed(series.Next(0.013), () => series.Next(0.010), disturbed: true);
        }

        Assert.Equal(0, gate.Opened);
        Assert.NotEqual(RegressionState.Opened, first);
        // The first disturbed slow run prompted a re-run (which, clean and normal, showed nothing).
        Assert.True(prompted >= 1, "a disturbed suspicious run asked for no re-run");
    }

    [Fact]
    public void Throughput_Drop_IsARegressionWithRatioBelowOne()
    {
        var series = new SyntheticSeries(9, 0.02);
        var gate = new GateDriver(new DetectorSettings(0.05, HigherIsWorse: false));
        for (var i = 0; i < Learning + 10 && gate.Opened == 0; i++)
        {
            var level = i >= Learning ? 800.0 : 1000.0;
            gate.Feed(series.Next(level), () => series.Next(level));
        }

        Assert.Equal(1, gate.Opened);
        Assert.True(gate.Last!.Ratio < 0.95, $"ratio {gate.Last.Ratio} when opened");
        // While open, the ratio follows the last scheduled runs against the frozen baseline.
        for (var i = 0; i < 3; i++)
        {
            gate.Feed(series.Next(800), () => series.Next(800));
        }

        var verdict = gate.Last!;
        Assert.Equal(RegressionState.Open, verdict.State);
        Assert.InRange(verdict.Ratio!.Value, 0.75, 0.85);
        Assert.True(verdict.RatioLower < verdict.Ratio && verdict.Ratio < verdict.RatioUpper);
    }

    [Fact]
    public void Stationary_ReRunsNeverOutnumberScheduledRuns()
    {
        // A noisy series with a low suspicion threshold and many re-runs allowed: the cap holds.
        var series = new SyntheticSeries(11, 0.10);
        var gate = new GateDriver(new DetectorSettings(0.05, ConfirmationRuns: 20, SuspicionZ: 0) { ConfirmationGap = TimeSpan.FromSeconds(30) });
        for (var i = 0; i < 1000; i++)
        {
            gate.Feed(series.Next(0.010), () => series.Next(0.010));
        }

        Assert.True(gate.Reruns <= gate.Scheduled, $"{gate.Reruns} re-runs for {gate.Scheduled} scheduled runs");
        Assert.True(gate.Reruns > gate.Scheduled / 2, $"{gate.Reruns} re-runs: the cap was never approached");
    }

    [Fact]
    public void SuspiciousRun_AsksForReRunsSpacedByTheGap_ThatFitBeforeTheNextRun()
    {
        var series = new SyntheticSeries(12, 0.02);
        var gate = new GateDriver(new DetectorSettings(0.05, ConfirmationRuns: 10));
        for (var i = 0; i < Learning; i++)
        {
            gate.Feed(series.Next(0.010), () => series.Next(0.010));
        }

        var before = gate.Reruns;
        var runTime = DateTimeOffset.UnixEpoch + (gate.Cadence * gate.Scheduled);
        gate.Feed(series.Next(0.015), () => series.Next(0.015));

        // Every 3 minutes after the run; at a 15-minute cadence four fit (the fifth would meet the next run).
        Assert.Equal(4, gate.Reruns - before);
        Assert.Equal(Enumerable.Range(1, 4).Select(k => runTime + (DetectorSettings.DefaultConfirmationGap * k)), gate.RerunTimes.TakeLast(4));
    }

    [Fact]
    public void FastCadence_NoReRuns_ScheduledRunsAreTheEvidence()
    {
        // Every 3 s, as in the soak: no re-run fits in the gap; a CPU competitor (runs 2x slower)
        // is still caught within three scheduled runs.
        var series = new SyntheticSeries(13, 0.05);
        var gate = new GateDriver(new DetectorSettings(0.05)) { Cadence = TimeSpan.FromSeconds(3) };
        for (var i = 0; i < Learning; i++)
        {
            gate.Feed(series.Next(0.010), () => series.Next(0.010));
        }

        var delay = 0;
        while (gate.Opened == 0 && delay < 10)
        {
            delay++;
            gate.Feed(series.Next(0.020), () => series.Next(0.020));
        }

        Assert.Equal(0, gate.Reruns);
        Assert.InRange(delay, 2, 3);
    }

    [Fact]
    public void SuspiciousRun_WithCleanReRuns_DoesNotOpen()
    {
        // A 50 % slower scheduled run whose re-runs are at the old level: the re-runs and the next runs decide.
        var series = new SyntheticSeries(13, 0.03);
        var gate = new GateDriver(new DetectorSettings(0.05));
        for (var i = 0; i < Learning; i++)
        {
            gate.Feed(series.Next(0.010), () => series.Next(0.010));
        }

        var before = gate.Reruns;
        gate.Feed(0.015, () => series.Next(0.010));
        gate.Feed(series.Next(0.010), () => series.Next(0.010));

        Assert.Equal(0, gate.Opened);
        Assert.InRange(gate.Reruns - before, 1, DetectorSettings.DefaultConfirmationRuns + 1);
    }

    [Theory]
    [InlineData(3_000, 3.40)]
    [InlineData(1_000, 3.09)]
    [InlineData(10_000, 3.72)]
    public void StepThreshold_IsTheOneSidedNormalQuantileOfTheRunLength(double runLength, double expected)
    {
        Assert.Equal(expected, RegressionDetector.StepThreshold(runLength), 2);
    }

    [Fact]
    public void Held_OnlyALevelOutsideTheBodyThatTheHistoryHeldAsLong()
    {
        // History: centre 0, scale 0.02, a slow level at +0.22 held for three runs in a row once.
        var history = Enumerable.Repeat(0.0, 50).Concat([0.22, 0.22, 0.22]).Concat(Enumerable.Repeat(0.0, 50)).ToList();

        Assert.True(RegressionDetector.Held(history, 0, 0.02, 0.22, 3, 0.05));
        Assert.False(RegressionDetector.Held(history, 0, 0.02, 0.22, 4, 0.05));
        // Inside the body (2.5 scales) a level is never held: a one-level series' step stays a step.
        Assert.False(RegressionDetector.Held(history, 0, 0.02, 0.04, 1, 0.05));
    }

    [Fact]
    public void Learning_UntilMinimumBaseline()
    {
        var draws = Enumerable.Range(0, 15).Select(i => new Draw(i, DateTimeOffset.UnixEpoch.AddMinutes(i), 0.01, false)).ToList();

        var verdict = RegressionDetector.Evaluate(draws, null, new DetectorSettings(0.05));

        Assert.Equal(RegressionState.Learning, verdict.State);
        Assert.Null(verdict.Ratio);
    }

    [Fact]
    public void ChangePoints_Step_DatedAtTheStep()
    {
        var series = new SyntheticSeries(10, 0.03);
        var draws = Enumerable.Range(0, 200).Select(i => new Draw(i, DateTimeOffset.UnixEpoch.AddMinutes(i), series.Next(i < 120 ? 0.010 : 0.012), false)).ToList();

        var point = Assert.Single(ChangePointAnalysis.Find(draws, 10, 0.05));

        Assert.InRange(point.Index, 118, 122);
        Assert.InRange(point.Ratio, 1.15, 1.25);
    }

    private static int? Delay(SyntheticSeries series, double step)
    {
        var gate = new GateDriver(new DetectorSettings(0.05));
        for (var i = 0; i < Learning + 50; i++)
        {
            var level = i >= Learning ? 0.010 * (1 + step) : 0.010;
            if (gate.Feed(series.Next(level), () => series.Next(level)) == RegressionState.Opened && i >= Learning)
            {
                return i - Learning + 1;
            }
        }

        return null;
    }
}
