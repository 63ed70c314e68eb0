using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Studies;

namespace BenchDaemon.Workers;

/// <summary>
/// Where canaries run. In the daemon and the CLI this is <see cref="WorkerPool"/>: every run in a
/// worker process, so nothing a canary does in native code can touch the caller.
/// </summary>
public interface ICanaryExecutor
{
    /// <summary>Generates or verifies the canary's built-in model files (not part of its run). Never throws for a canary problem.</summary>
    Task<PreparedModels> PrepareAsync(CanaryDefinition canary, CancellationToken cancellationToken);

    /// <summary>Runs the canary at one batch size. Never throws for a canary problem: every fault is a result.</summary>
    Task<CanaryResult> RunAsync(CanaryDefinition canary, int batch, CancellationToken cancellationToken);

    /// <summary>Measures one study cell. Never throws for a cell problem.</summary>
    Task<StudyCell> MeasureCellAsync(StudyOptions study, StudyCellPlan cell, string? energyReason, CancellationToken cancellationToken);
}
