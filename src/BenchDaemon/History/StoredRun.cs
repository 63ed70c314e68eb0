using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.History;

/// <summary>One run as kept in the history.</summary>
/// <param name="Id">Row id, increasing with insertion.</param>
/// <param name="Timestamp">When the run started.</param>
/// <param name="Series">Series key: canary, batch and fingerprint key.</param>
/// <param name="Fingerprint">The environment it ran in.</param>
/// <param name="Confirmation">True for an immediate re-run asked for by the regression gate.</param>
/// <param name="Result">The result as <c>once --json</c> prints it.</param>
/// <param name="ResultJson">The stored JSON of <paramref name="Result"/>.</param>
public sealed record StoredRun(long Id, DateTimeOffset Timestamp, string Series, EnvironmentFingerprint Fingerprint, bool Confirmation, CanaryResult Result, string ResultJson)
{
    /// <summary>True when the run was stored as disturbed (<see cref="HistoryStore.Insert"/>): the regression gate never counts it as evidence.</summary>
    public bool Disturbed { get; init; }
}
