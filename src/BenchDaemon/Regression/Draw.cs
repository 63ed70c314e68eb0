namespace BenchDaemon.Regression;

/// <summary>One measured value of a metric in a series.</summary>
/// <param name="RunId">The stored run it came from (0 in simulations).</param>
/// <param name="Time">When the run started.</param>
/// <param name="Value">The metric as measured (seconds, samples/s, joules…); must be positive.</param>
/// <param name="Confirmation">True for a confirmation re-run asked for by the gate (<see cref="Verdict.ConfirmNotBefore"/>).</param>
public readonly record struct Draw(long RunId, DateTimeOffset Time, double Value, bool Confirmation)
{
    /// <summary>
    /// True when the run was disturbed (the CPU guard, steal, PSI or other processes' CPU during
    /// its window) or cut short: it may prompt a confirmation re-run but never counts as
    /// evidence, never enters a baseline and never clears a regression.
    /// </summary>
    public bool Disturbed { get; init; }
}
