using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workers;

/// <summary>
/// What a worker may use for one request: resident memory, and time per phase — counted from the
/// moment the worker reports the phase (<see cref="ProgressEvent"/>), or from the request before any report.
/// </summary>
/// <param name="MemoryBytes">Resident memory above which the worker is killed.</param>
/// <param name="Initial">Time allowed before the first progress report.</param>
/// <param name="Phases">Time allowed per reported phase; a phase not listed gets <paramref name="Initial"/>.</param>
internal sealed record RequestLimits(long MemoryBytes, TimeSpan Initial, IReadOnlyDictionary<CanaryPhase, TimeSpan> Phases)
{
    /// <summary>The allowance of <paramref name="phase"/> (null: before any report).</summary>
    public TimeSpan For(CanaryPhase? phase) => phase is { } p && Phases.TryGetValue(p, out var limit) ? limit : Initial;
}
