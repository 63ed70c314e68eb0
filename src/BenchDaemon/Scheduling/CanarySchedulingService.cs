using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using Quartz.Impl.Matchers;

namespace BenchDaemon.Scheduling;

/// <summary>Puts the configured canaries on the Quartz scheduler at start and after a reload.</summary>
public sealed partial class CanarySchedulingService(
    ISchedulerFactory schedulerFactory,
    CanaryCoordinator coordinator,
    CanaryResultSink sink,
    IReadOnlyList<CanaryDefinition> initialCanaries,
    TimeProvider timeProvider,
    ILogger<CanarySchedulingService> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public Task StartAsync(CancellationToken cancellationToken) => ScheduleAsync(initialCanaries, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _gate.Dispose();

    /// <summary>Replaces every canary job with <paramref name="canaries"/>.</summary>
    public async Task ScheduleAsync(IReadOnlyList<CanaryDefinition> canaries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(canaries);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
            var existing = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(CanaryJob.Group), cancellationToken);
            await scheduler.DeleteJobs(existing.ToList(), cancellationToken);
            coordinator.Replace(canaries);
            sink.Retain([.. canaries.Select(c => c.Name)]);
            var now = timeProvider.GetUtcNow();
            sink.SetSchedulePeriods(canaries.Select(c => (c.Name, CanarySchedules.Period(c.Schedule, now))).ToList());
            var firstFirings = CanarySchedules.FirstFirings(canaries, now);
            for (var i = 0; i < canaries.Count; i++)
            {
                var canary = canaries[i];
                await scheduler.ScheduleJob(CanarySchedules.Job(canary), CanarySchedules.Trigger(canary, firstFirings[i]), cancellationToken);
                var schedule = canary.Schedule.ToString();
                LogScheduled(logger, canary.Name, schedule, canary.Device);
            }

            if (canaries.Count == 0)
            {
                LogNoCanaries(logger);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Canary {Canary} scheduled {Schedule} on {Device}")]
    private static partial void LogScheduled(ILogger logger, string canary, string schedule, string device);

    [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "No canaries are configured; only the probes run")]
    private static partial void LogNoCanaries(ILogger logger);
}
