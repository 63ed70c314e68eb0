namespace BenchDaemon.Workloads.Studies;

/// <summary>The content of <see cref="StudyReportWriter.EnvironmentFile"/>: where and how a study ran.</summary>
/// <param name="Environment">Where it ran.</param>
/// <param name="Options">The resolved options the study ran with.</param>
/// <param name="StartedAt">Start of the first cell.</param>
/// <param name="FinishedAt">End of the last cell.</param>
/// <param name="PlannedCells">How many cells were planned.</param>
/// <param name="MeasuredCells">How many cells ran (measured, failed or skipped).</param>
/// <param name="Interrupted">True when the run was stopped before every planned cell ran.</param>
internal sealed record StudyEnvironmentFile(
    StudyEnvironment Environment,
    StudyOptions Options,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    int PlannedCells,
    int MeasuredCells,
    bool Interrupted);
