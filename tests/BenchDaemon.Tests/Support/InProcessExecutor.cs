using BenchDaemon.Workers;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Studies;

namespace BenchDaemon.Tests.Support;

/// <summary>
/// Runs canaries in the test process, for tests of the scheduling logic around them (the
/// daemon itself always uses <see cref="WorkerPool"/>; its own tests start real workers).
/// </summary>
public sealed class InProcessExecutor(CanaryRunner runner) : ICanaryExecutor
{
    public Task<PreparedModels> PrepareAsync(CanaryDefinition canary, CancellationToken cancellationToken) =>
        Task.Run(() => runner.Prepare(canary, cancellationToken), CancellationToken.None);

    public Task<CanaryResult> RunAsync(CanaryDefinition canary, int batch, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => runner.Run(canary, batch, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public Task<StudyCell> MeasureCellAsync(StudyOptions study, StudyCellPlan cell, string? energyReason, CancellationToken cancellationToken) =>
        Task.Run(() => new StudyRunner(runner).MeasureCell(study, cell, energyReason, cancellationToken), CancellationToken.None);
}
