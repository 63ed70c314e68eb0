namespace BenchDaemon.Workloads.Canaries;

/// <summary>How a canary run ended (docs/canaries.md, measurement protocol step 7).</summary>
public enum CanaryStatus
{
    /// <summary>Measured, spread within the target.</summary>
    Ok,

    /// <summary>Measured, but the spread is above the target or the budget ran out before the minimum iterations.</summary>
    Unstable,

    /// <summary>An error; the reason says which.</summary>
    Failed,

    /// <summary>Not run: provider or precision unavailable, or a guard said no.</summary>
    Skipped,

    /// <summary>Cut short by the daemon's own shutdown: says nothing about the canary (reason <c>shutdown</c>).</summary>
    Interrupted,
}
