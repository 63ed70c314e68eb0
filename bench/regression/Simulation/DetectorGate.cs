using BenchDaemon.Regression;

namespace BenchDaemon.Bench.Regression;

/// <summary>BenchDaemon's gate as the daemon drives it: confirmation re-runs, frozen baseline while open, regression runs kept out of later baselines.</summary>
internal sealed class DetectorGate(DetectorSettings settings) : IGate
{
    private readonly List<Draw> _draws = [];
    private OpenRegression? _open;
    private long _id;

    public string Name => "BenchDaemon (CUSUM on between-run scale + confirmation)";

    public int Reruns { get; private set; }

    public bool Open => _open is not null;

    public bool Feed(double value, Func<double> rerun)
    {
        var verdict = Add(value, confirmation: false);
        while (verdict.State == RegressionState.Suspected)
        {
            Reruns++;
            verdict = Add(rerun(), confirmation: true);
        }

        return verdict.State == RegressionState.Opened;
    }

    private Verdict Add(double value, bool confirmation)
    {
        _id++;
        var draw = new Draw(_id, DateTimeOffset.UnixEpoch.AddMinutes(_id), value, confirmation);
        _draws.Add(draw);
        var regressionStart = _open?.StartRunId;
        var verdict = RegressionDetector.Evaluate(_draws, _open, settings);
        if (verdict.State == RegressionState.Cleared && regressionStart is { } start)
        {
            // Runs of a closed regression never enter a later baseline.
            _draws.RemoveAll(d => d.RunId >= start);
        }

        _open = verdict.Regression;
        if (_draws.Count > 200)
        {
            _draws.RemoveRange(0, _draws.Count - 200);
        }

        return verdict;
    }
}
