namespace BenchDaemon.History;

/// <summary>Where <see cref="HistoryRecorder.Record"/> stored a run.</summary>
/// <param name="Id">The run's row id.</param>
/// <param name="Series">The series it belongs to (canary, batch and environment fingerprint).</param>
/// <param name="EnvironmentChanged">True when its environment differs from the canary's previous run: a new series began.</param>
/// <param name="ClosedRegressions">Open regressions of the previous series closed by that change.</param>
public sealed record StoredRunReference(long Id, string Series, bool EnvironmentChanged, int ClosedRegressions);
