namespace BenchDaemon.Bench.Regression;

/// <summary>One of the compared gates, fed one scheduled run at a time.</summary>
internal interface IGate
{
    string Name { get; }

    /// <summary>
    /// Feeds a scheduled run's value; <paramref name="rerun"/> draws an immediate re-run's value
    /// (only the confirming gate uses it). Returns true when an alarm opens with this run.
    /// </summary>
    bool Feed(double value, Func<double> rerun);

    /// <summary>Immediate re-runs spent so far.</summary>
    int Reruns { get; }
}
