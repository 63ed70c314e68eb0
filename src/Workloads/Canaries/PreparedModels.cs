namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// What <see cref="CanaryRunner.Prepare"/> did before a run: how long generating or verifying
/// model files took, which files it generated, and — when the files could not be made ready —
/// the status the run is recorded with instead.
/// </summary>
/// <param name="Seconds">Wall time spent; not part of the run and not counted against the duty budget.</param>
/// <param name="Generated">Models generated (for example <c>bert-base INT8</c>); empty when every file was cached.</param>
/// <param name="Status">Null when the canary can run; otherwise its result status.</param>
/// <param name="ReasonCode">The bounded reason code when <paramref name="Status"/> is set.</param>
/// <param name="Reason">Why, in words, when <paramref name="Status"/> is set.</param>
public sealed record PreparedModels(double Seconds, IReadOnlyList<string> Generated, CanaryStatus? Status = null, string? ReasonCode = null, string? Reason = null)
{
    /// <summary>Nothing to prepare.</summary>
    public static PreparedModels None { get; } = new(0, []);
}
