using BenchDaemon.History;
using BenchDaemon.Regression;

namespace BenchDaemon.Bench.Regression;

/// <summary>
/// BenchDaemon's gate as the daemon drives it: after every run the coordinator asks for the
/// confirmation the gate wants and runs it at that time if it comes before the next scheduled
/// run; frozen baseline while open; regression runs kept out of later baselines; the window the
/// monitor reads (baseline, evidence and 300 more runs).
/// </summary>
internal sealed class DetectorGate(DetectorSettings settings) : IGate
{
    private readonly List<Draw> _draws = [];
    private OpenRegression? _open;
    private long _id;

    public string Name => "BenchDaemon";

    public int Reruns { get; private set; }

    public bool Feed(double value, DateTimeOffset time, DateTimeOffset next, Func<DateTimeOffset, double> rerun)
    {
        var verdict = Add(value, time, confirmation: false);
        var opened = verdict.State == RegressionState.Opened;
        while (verdict.ConfirmNotBefore is { } at && at < next)
        {
            Reruns++;
            verdict = Add(rerun(at), at, confirmation: true);
            opened |= verdict.State == RegressionState.Opened;
        }

        return opened;
    }

    private Verdict Add(double value, DateTimeOffset time, bool confirmation)
    {
        _id++;
        _draws.Add(new Draw(_id, time, value, confirmation));
        var regressionStart = _open?.StartRunId;
        var verdict = RegressionDetector.Evaluate(_draws, _open, settings);
        if (verdict.State == RegressionState.Cleared && regressionStart is { } start)
        {
            // Runs of a closed regression never enter a later baseline.
            _draws.RemoveAll(d => d.RunId >= start);
        }

        _open = verdict.Regression;
        var window = settings.BaselineWindow + settings.EvidenceWindow + 300;
        if (_draws.Count > window)
        {
            _draws.RemoveRange(0, _draws.Count - window);
        }

        return verdict;
    }
}
