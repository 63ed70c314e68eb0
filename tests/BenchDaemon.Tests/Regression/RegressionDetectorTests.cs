using BenchDaemon.Regression;

namespace BenchDaemon.Tests.Regression;

/// <summary>The gate on seeded synthetic series with known truth (docs/regression.md).</summary>
public sealed class RegressionDetectorTests
{
    private const int Learning = 40;

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

        // The goal is at most 1 per 1 000 runs (bench/README.md measures the rate over 200 000).
        Assert.True(gate.Opened <= 1, $"{gate.Opened} false alarms");
    }

    [Fact]
    public void CorrelatedReRuns_SharedShareKeepsFalseAlarmsFarBelowTheUncorrectedRate()
    {
        // Each run's re-runs share half of its log variance (a machine slow for minutes at a
        // time). Judged as independent, the confirmation test inherited the suspicious run's
        // selection: about 52 false alarms per 1 000 runs at CV 3 % (bench/README.md). The share
        // measured on the series' earlier bursts takes that below 20 per 1 000.
        var half = Math.Sqrt(Math.Exp(Math.Log(1 + (0.03 * 0.03)) / 2) - 1); // the CV of half the log variance
        var moments = new SyntheticSeries(91, half);
        var own = new SyntheticSeries(92, half);
        var gate = new GateDriver(new DetectorSettings(0.05));

        for (var i = 0; i < 3000; i++)
        {
            var moment = moments.Next(1);
            gate.Feed(moment * own.Next(0.010), () => moment * own.Next(0.010));
        }

        Assert.True(gate.Opened <= 60, $"{gate.Opened} false alarms in 3 000 runs");
    }

    [Theory]
    [InlineData(0.03, 0.10, 3, 19)]
    [InlineData(0.02, 0.20, 2, 19)]
    [InlineData(0.10, 0.50, 3, 19)]
    [InlineData(0.30, 0.50, 12, 17)]
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
        // A 2 % step at CV 2 %: real, but below the 5 % that matters. The practical check is a
        // 95 % one-sided bound and about every second run at the new level is re-run, so a few
        // of the ten series do alarm in 300 runs (bench/README.md: 9 % within 10 runs); most never do.
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

        Assert.True(opened <= 3, $"{opened} alarms on a 2 % step");
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
    public void Bimodal_RunsSwitchingBetweenTwoLevels_NeverAlarm()
    {
        var series = new SyntheticSeries(6, 0.02);
        var modes = new Random(60);
        double Next() => series.Next(modes.NextDouble() < 0.2 ? 0.0125 : 0.010);
        var gate = new GateDriver(new DetectorSettings(0.05));

        for (var i = 0; i < 1000; i++)
        {
            gate.Feed(Next(), Next);
        }

        // Runs one in five 25 % slower: the upper tail widens the baseline scale, so this is noise.
        Assert.True(gate.Opened <= 1, $"{gate.Opened} false alarms");
    }

    [Fact]
    public void SlowDrift_GateStaysQuiet_ChangePointsDateIt()
    {
        // +20 % over 400 runs (0.05 % per run): the rolling baseline follows, the history tier finds it.
        var series = new SyntheticSeries(7, 0.02);
        var reruns = new SyntheticSeries(70, 0.02);
        var gate = new GateDriver(new DetectorSettings(0.05));
        var draws = new List<Draw>();
        for (var i = 0; i < 600; i++)
        {
            var level = 0.010 * (i < 100 ? 1 : i < 500 ? 1 + (0.2 * (i - 100) / 400) : 1.2);
            var value = series.Next(level);
            draws.Add(new Draw(i, DateTimeOffset.UnixEpoch.AddMinutes(i), value, false));
            gate.Feed(value, () => reruns.Next(level));
        }

        var points = ChangePointAnalysis.Find(draws, 10, 0.02);

        Assert.True(gate.Opened <= 1, $"{gate.Opened} alarms on a slow drift");
        Assert.NotEmpty(points);
        Assert.All(points, p => Assert.InRange(p.Index, 90, 510));
        Assert.True(points.Count >= 1, "no change point");
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
        var verdict = gate.Last!;
        Assert.InRange(verdict.Ratio!.Value, 0.75, 0.85);
        Assert.True(verdict.RatioLower < verdict.Ratio && verdict.Ratio < verdict.RatioUpper);
    }

    [Fact]
    public void FivePercentStep_AtCv3_MostDetectedWithinThreeScheduledRuns()
    {
        // The issue's case: a 5 % step at 3 % between-run CV is 1.6 scales. Re-runs do not count as runs.
        var delays = new List<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            delays.Add(Delay(new SyntheticSeries(500 + seed, 0.03), 0.05) ?? int.MaxValue);
        }

        Assert.True(delays.Count(d => d <= 3) >= 32, $"delays: {string.Join(", ", delays)}");
        Assert.True(delays.Count(d => d <= 10) >= 38, $"delays: {string.Join(", ", delays)}");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void Stationary_ReRunsStayWithinTheirExpectedCost(int k)
    {
        var series = new SyntheticSeries(11, 0.03);
        var gate = new GateDriver(new DetectorSettings(0.05, ConfirmationRuns: k));
        for (var i = 0; i < 2000; i++)
        {
            gate.Feed(series.Next(0.010), () => series.Next(0.010));
        }

        // About one run in six is suspicious (z ≥ 1) and costs at most k re-runs, about half of
        // them when the first half of the re-runs shows nothing.
        var perRun = gate.Reruns / 2000.0;
        Assert.InRange(perRun, 0.05 * k, 0.16 * k);
        Assert.True(gate.Opened <= 1, $"{gate.Opened} false alarms");
    }

    [Fact]
    public void SuspiciousRun_AsksForExactlyKReRuns_WhenTheyAgree()
    {
        var series = new SyntheticSeries(12, 0.02);
        var gate = new GateDriver(new DetectorSettings(0.05, ConfirmationRuns: 5));
        for (var i = 0; i < Learning; i++)
        {
            gate.Feed(series.Next(0.010), () => series.Next(0.010));
        }

        var before = gate.Reruns;
        var state = gate.Feed(series.Next(0.015), () => series.Next(0.015));

        Assert.Equal(RegressionState.Opened, state);
        Assert.Equal(5, gate.Reruns - before);
    }

    [Fact]
    public void SuspiciousRun_WithCleanReRuns_DoesNotOpen()
    {
        // A 50 % slower scheduled run whose re-runs are at the old level: the re-runs decide.
        var series = new SyntheticSeries(13, 0.03);
        var gate = new GateDriver(new DetectorSettings(0.05));
        for (var i = 0; i < Learning; i++)
        {
            gate.Feed(series.Next(0.010), () => series.Next(0.010));
        }

        var before = gate.Reruns;
        var state = gate.Feed(0.015, () => series.Next(0.010));

        Assert.Equal(RegressionState.Normal, state);
        Assert.Equal(0, gate.Opened);
        Assert.InRange(gate.Reruns - before, 1, DetectorSettings.DefaultConfirmationRuns);
    }

    [Theory]
    [InlineData(1.0, 10_000, 3.22)]
    [InlineData(1.0, 5_000, 3.02)]
    [InlineData(2.0, 10_000, 2.62)]
    public void ConfirmationThreshold_KeepsSuspicionTimesConfirmationAtTheTarget(double suspicionZ, double runLength, double expected)
    {
        Assert.Equal(expected, RegressionDetector.ConfirmationThreshold(suspicionZ, runLength), 2);
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
