namespace BenchDaemon.Bench.Regression;

/// <summary>(a) Alarm when the last run is more than 5 % slower than the run before it.</summary>
internal sealed class FixedThresholdGate(double threshold) : IGate
{
    private double? _previous;

    public string Name => "(a) fixed 5 % on the last run";

    public int Reruns => 0;

    public bool Feed(double value, DateTimeOffset time, DateTimeOffset next, Func<DateTimeOffset, double> rerun)
    {
        var alarm = _previous is { } p && value > p * (1 + threshold);
        _previous = value;
        return alarm;
    }
}
