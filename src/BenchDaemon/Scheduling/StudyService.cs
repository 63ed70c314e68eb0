using System.Globalization;
using BenchDaemon.Configuration;
using BenchDaemon.Probes;
using BenchDaemon.Telemetry;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Studies;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Runs the configured studies (section <c>Studies</c>) when Quartz fires them: each cell holds
/// its device's canary lane, so a study never overlaps a canary on the same device; the report
/// goes to <c>{OutputDirectory or State:Directory/studies}/{name}/{UTC time}/</c>, and the
/// cells of the last run are exported as the <c>benchdaemon_study_*</c> gauges.
/// </summary>
public sealed partial class StudyService(
    IReadOnlyList<StudyOptions> studies,
    ICanaryExecutor executor,
    CanaryCoordinator coordinator,
    WorkerRuntime runtime,
    IEnergyMeter energyMeter,
    IGpuInventory gpus,
    IOptions<StateOptions> state,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<StudyService> logger) : IMetricSource
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StudyRun> _latest = new(StringComparer.Ordinal);

    /// <summary>The configured studies.</summary>
    public IReadOnlyList<StudyOptions> Studies => studies;

    /// <summary>The folder the reports of <paramref name="study"/> go under.</summary>
    public string ReportRoot(StudyOptions study)
    {
        ArgumentNullException.ThrowIfNull(study);
        return Path.Combine(string.IsNullOrWhiteSpace(study.OutputDirectory) ? Path.Combine(state.Value.Directory!, "studies") : study.OutputDirectory, study.EffectiveName);
    }

    /// <summary>Runs study <paramref name="name"/> once and records its cells; returns null when no such study is configured.</summary>
    public async Task<StudyRun?> RunAsync(string name, CancellationToken cancellationToken)
    {
        var study = studies.FirstOrDefault(s => s.EffectiveName == name);
        if (study is null)
        {
            return null;
        }

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var token = stopping.Token;
        var resolved = StudyDefaults.Apply(study);
        var directory = Path.Combine(ReportRoot(study), timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        var plan = StudyPlanner.Plan(resolved, Path.Combine(ReportRoot(study), "trt-engines"));
        LogStarting(logger, name, plan.Count, directory);

        // Each cell runs in a worker, inside its device's lane; the study waits on a thread of its own.
        var description = await runtime.DescribeAsync(token);
        var run = await Task.Factory.StartNew(
            () =>
            {
                var environment = StudyEnvironment.Capture(BuildInfoSource.Version, description.OnnxRuntimeVersion, description.Providers, gpus, energyMeter);
                var studyRunner = new StudyRunner(
                    (options, cell, energyReason, t) => coordinator.RunExclusive(
                        cell.Canary.Device,
                        () => executor.MeasureCellAsync(options, cell, energyReason, t).GetAwaiter().GetResult(),
                        t),
                    energyMeter,
                    timeProvider);
                return studyRunner.Run(resolved, plan, environment, cancellationToken: token);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        try
        {
            StudyReportWriter.Write(run, directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(logger, name, directory, ex.Message);
        }

        lock (_lock)
        {
            _latest[name] = run;
        }

        var measured = run.Cells.Count(c => c.Status is CanaryStatus.Ok or CanaryStatus.Unstable);
        LogFinished(logger, name, measured, run.Cells.Count, run.PlannedCells, run.Interrupted, directory);
        return run;
    }

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_lock)
        {
            foreach (var (name, run) in _latest)
            {
                writer.Write(TelemetryCatalogue.StudyLastRun, run.FinishedAt.ToUnixTimeMilliseconds() / 1000.0, name);
                foreach (var status in Enum.GetValues<CanaryStatus>())
                {
                    writer.Write(TelemetryCatalogue.StudyCells, run.Cells.Count(c => c.Status == status), name, status.ToString().ToLowerInvariant());
                }

                // One series per cell; a duplicate label set (same cell twice) keeps the last value.
                foreach (var cell in run.Cells.Where(c => c.Status is CanaryStatus.Ok or CanaryStatus.Unstable))
                {
                    string[] labels = [name, cell.Model, cell.Provider, cell.Precision.ToString(), cell.Batch.ToString(CultureInfo.InvariantCulture), Configuration(cell)];
                    writer.WriteOptional(TelemetryCatalogue.StudyThroughput, cell.ThroughputSamplesPerSecond, labels);
                    writer.WriteOptional(TelemetryCatalogue.StudyAse, cell.Ase, labels);
                    writer.WriteOptional(TelemetryCatalogue.StudySpeedup, cell.SpeedupVsBaseline, labels);
                    writer.WriteOptional(TelemetryCatalogue.StudyEnergyPerSample, cell.EnergyJoulesPerSample, labels);
                }
            }
        }
    }

    /// <summary>The <c>configuration</c> label: optimised or baseline, or for pipeline cells mode-size (end-to-end-large…).</summary>
    public static string Configuration(StudyCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return cell.Mode == StudyCellPlan.InferenceMode ? cell.Configuration : cell.ImageSize is { } size ? $"{cell.Mode}-{size}" : cell.Mode;
    }

    [LoggerMessage(EventId = 440, Level = LogLevel.Information, Message = "Study {Study} starting: {Cells} cells, report in {Directory}")]
    private static partial void LogStarting(ILogger logger, string study, int cells, string directory);

    [LoggerMessage(EventId = 441, Level = LogLevel.Information, Message = "Study {Study} finished: {Measured} measured of {Recorded} recorded ({Planned} planned), interrupted {Interrupted}; report in {Directory}")]
    private static partial void LogFinished(ILogger logger, string study, int measured, int recorded, int planned, bool interrupted, string directory);

    [LoggerMessage(EventId = 442, Level = LogLevel.Warning, Message = "Study {Study}: cannot write its report to {Directory}: {Error}")]
    private static partial void LogWriteFailed(ILogger logger, string study, string directory, string error);
}
