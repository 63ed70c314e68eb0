using BenchDaemon.History;
using BenchDaemon.Regression;

namespace BenchDaemon.Tests.Regression;

/// <summary>
/// Drives <see cref="RegressionDetector"/> as the daemon does: a scheduled run every
/// <see cref="Cadence"/>; a confirmation re-run at the time the gate asks for
/// (<see cref="Verdict.ConfirmNotBefore"/>) when that comes before the next scheduled run;
/// frozen baseline while open; closed regressions out of later baselines.
/// </summary>
internal sealed class GateDriver(DetectorSettings settings)
{
    private readonly List<Draw> _draws = [];
    private long _id;
    private int _scheduled;

    /// <summary>Time between scheduled runs (the default canary interval).</summary>
    public TimeSpan Cadence { get; init; } = TimeSpan.FromMinutes(15);

    public OpenRegression? Open { get; private set; }

    public int Opened { get; private set; }

    public int Cleared { get; private set; }

    public int Reruns { get; private set; }

    /// <summary>Scheduled runs fed so far.</summary>
    public int Scheduled => _scheduled;

    /// <summary>The verdict on the newest run or re-run.</summary>
    public Verdict? Last { get; private set; }

    /// <summary>Times of the re-runs, in order.</summary>
    public List<DateTimeOffset> RerunTimes { get; } = [];

    /// <summary>
    /// Feeds one scheduled run and the re-runs the gate asks for before the next one;
    /// <paramref name="rerun"/> gives a re-run's value. Returns the state after the last of them,
    /// or <see cref="RegressionState.Opened"/> when any of them opened a regression.
    /// </summary>
    public RegressionState Feed(double value, Func<double> rerun, bool disturbed = false)
    {
        var time = DateTimeOffset.UnixEpoch + (Cadence * _scheduled);
        var next = time + Cadence;
        _scheduled++;
        var verdict = Add(value, time, false, disturbed);
        var opened = verdict.State == RegressionState.Opened;
        while (verdict.ConfirmNotBefore is { } at && at < next)
        {
            Reruns++;
            RerunTimes.Add(at);
            verdict = Add(rerun(), at, true, false);
            opened |= verdict.State == RegressionState.Opened;
        }

        return opened ? RegressionState.Opened : verdict.State;
    }

    private Verdict Add(double value, DateTimeOffset time, bool confirmation, bool disturbed)
    {
        _id++;
        _draws.Add(new Draw(_id, time, value, confirmation) { Disturbed = disturbed });
        var start = Open?.StartRunId;
        var verdict = RegressionDetector.Evaluate(_draws, Open, settings);
        if (verdict.State == RegressionState.Opened)
        {
            Opened++;
        }

        if (verdict.State == RegressionState.Cleared && start is { } s)
        {
            Cleared++;
            _draws.RemoveAll(d => d.RunId >= s);
        }

        // The monitor reads a bounded window of the series (baseline, evidence and 300 more).
        if (_draws.Count > 600)
        {
            _draws.RemoveRange(0, _draws.Count - 600);
        }

        Open = verdict.Regression;
        Last = verdict;
        return verdict;
    }
}
