using BenchDaemon.Regression;

namespace BenchDaemon.Tests.Regression;

/// <summary>Drives <see cref="RegressionDetector"/> as the daemon does: immediate re-runs while suspected, frozen baseline while open, closed regressions out of later baselines.</summary>
internal sealed class GateDriver(DetectorSettings settings)
{
    private readonly List<Draw> _draws = [];
    private long _id;

    public OpenRegression? Open { get; private set; }

    public int Opened { get; private set; }

    public int Cleared { get; private set; }

    public int Reruns { get; private set; }

    /// <summary>The verdict on the newest run or re-run.</summary>
    public Verdict? Last { get; private set; }

    /// <summary>Feeds one scheduled run; <paramref name="rerun"/> gives a re-run's value. Returns the final state.</summary>
    public RegressionState Feed(double value, Func<double> rerun)
    {
        var verdict = Add(value, false);
        while (verdict.State == RegressionState.Suspected)
        {
            Reruns++;
            verdict = Add(rerun(), true);
        }

        return verdict.State;
    }

    private Verdict Add(double value, bool confirmation)
    {
        _id++;
        _draws.Add(new Draw(_id, DateTimeOffset.UnixEpoch.AddMinutes(_id), value, confirmation));
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

        Open = verdict.Regression;
        Last = verdict;
        return verdict;
    }
}
