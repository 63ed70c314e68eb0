namespace BenchDaemon.Workloads.Studies;

/// <summary>The outcome of one study: its cells (derived metrics filled) and how the run went.</summary>
/// <param name="Options">The resolved options the study ran with.</param>
/// <param name="Environment">Where it ran.</param>
/// <param name="Cells">Every cell that was measured, failed or skipped, in run order.</param>
/// <param name="PlannedCells">How many cells were planned.</param>
/// <param name="Interrupted">True when the run was stopped (Ctrl-C, shutdown) before every planned cell ran.</param>
/// <param name="StartedAt">Start of the first cell.</param>
/// <param name="FinishedAt">End of the last cell.</param>
public sealed record StudyRun(
    StudyOptions Options,
    StudyEnvironment Environment,
    IReadOnlyList<StudyCell> Cells,
    int PlannedCells,
    bool Interrupted,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt);
