namespace BenchDaemon.Bench.Regression;

/// <summary>One of the compared gates, fed one scheduled run at a time.</summary>
internal interface IGate
{
    string Name { get; }

    /// <summary>
    /// Feeds the value of a scheduled run at <paramref name="time"/>; the confirming gate may
    /// ask for re-runs before <paramref name="next"/> (the next scheduled run) and draws their
    /// values from <paramref name="rerun"/> at the time it asks for. Returns true when an alarm
    /// opens with this run or its re-runs.
    /// </summary>
    bool Feed(double value, DateTimeOffset time, DateTimeOffset next, Func<DateTimeOffset, double> rerun);

    /// <summary>Re-runs spent so far.</summary>
    int Reruns { get; }
}
