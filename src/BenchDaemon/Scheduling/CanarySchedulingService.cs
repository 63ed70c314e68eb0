using BenchDaemon.Telemetry;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using Quartz.Impl.Matchers;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Puts the configured canaries on the Quartz scheduler at start and after a reload.
/// <paramref name="initialCanaries"/> is asked at start: the embedded defaults depend on the
/// providers a worker reports, which the daemon learns by asking one.
/// </summary>
public sealed partial class CanarySchedulingService(
    ISchedulerFactory schedulerFactory,
    CanaryCoordinator coordinator,
    CanaryResultSink sink,
    Func<CancellationToken, Task<IReadOnlyList<CanaryDefinition>>> initialCanaries,
    TimeProvider timeProvider,
    ILogger<CanarySchedulingService> logger,
    CadencePlanner? planner = null) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task _initial = Task.CompletedTask;

    /// <summary>
    /// Schedules the initial canaries in the background: asking a worker for its providers takes
    /// a moment, and the daemon's probes and /metrics do not wait for it.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (planner is not null)
        {
            planner.Replanned += OnReplanned;
        }

        _initial = Task.Run(ScheduleInitialAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (planner is not null)
        {
            planner.Replanned -= OnReplanned;
        }

        await _stopping.CancelAsync();
        await _initial.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _gate.Dispose();
    }

    private async Task ScheduleInitialAsync()
    {
        try
        {
            await ScheduleAsync(await initialCanaries(_stopping.Token), _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped before the first schedule: nothing to run.
        }
#pragma warning disable CA1031 // The daemon keeps probing and serving; the reason is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogInitialFailed(logger, ex);
        }
    }

    /// <summary>
    /// Replaces the canary jobs with <paramref name="canaries"/>. A canary that was scheduled
    /// before with the same schedule keeps its trigger: a reload does not move its next run,
    /// and does not drop a firing that is waiting for the canary's previous run to finish
    /// (deleting the trigger would lose that firing without counting it). New canaries, and
    /// canaries whose schedule changed, start as at start-up (spread, see <see cref="CanarySchedules.FirstFirings"/>).
    /// With <paramref name="replanAll"/> (the wall clock stepped: every trigger was planned in
    /// the old time) no trigger is kept.
    /// </summary>
    public async Task ScheduleAsync(IReadOnlyList<CanaryDefinition> canaries, CancellationToken cancellationToken, bool replanAll = false)
    {
        ArgumentNullException.ThrowIfNull(canaries);
        canaries = planner?.Apply(canaries) ?? canaries;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
            var existing = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(CanaryJob.Group), cancellationToken);
            var previous = coordinator.Canaries.ToDictionary(c => c.Name, c => c.Schedule, StringComparer.Ordinal);
            var kept = canaries
                .Where(c => !replanAll && previous.TryGetValue(c.Name, out var schedule) && schedule == c.Schedule && existing.Contains(CanarySchedules.Key(c.Name)))
                .Select(c => c.Name)
                .ToHashSet(StringComparer.Ordinal);
            await scheduler.DeleteJobs(existing.Where(k => !kept.Contains(k.Name)).ToList(), cancellationToken);
            coordinator.Replace(canaries);
            sink.Retain([.. canaries.Select(c => c.Name)]);
            var now = timeProvider.GetUtcNow();
            sink.SetSchedulePeriods(canaries.Select(c => (c.Name, CanarySchedules.Period(c.Schedule, now))).ToList());
            var fresh = canaries.Where(c => !kept.Contains(c.Name)).ToList();
            var firstFirings = CanarySchedules.FirstFirings(fresh, now);
            for (var i = 0; i < fresh.Count; i++)
            {
                var canary = fresh[i];
                var trigger = CanarySchedules.Trigger(canary, firstFirings[i]);
                var first = await scheduler.ScheduleJob(CanarySchedules.Job(canary), trigger, cancellationToken);
                var schedule = canary.Schedule.ToString();
                LogScheduled(logger, canary.Name, schedule, canary.Device, first);
            }

            foreach (var name in kept)
            {
                LogKept(logger, name);
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

    // A timer-free callback from the coordinator's thread: the rescheduling runs on its own.
    private void OnReplanned(TimeSpan interval) => _ = Task.Run(() => ReplanAsync(interval, _stopping.Token));

    /// <summary>
    /// Moves the canaries fitted to the duty budget to <paramref name="interval"/>: each keeps its
    /// place in the round (its next firing moves by the change of interval, never into the past).
    /// A canary whose first firing has not come yet keeps it: a new user sees every canary measure
    /// once within the first round, whatever the first run of another taught the planner. One
    /// that has fired (its run may still be waiting for the lane) moves like the others, so its
    /// second firing is not left at the old interval.
    /// </summary>
    public async Task ReplanAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            await _gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
            var now = timeProvider.GetUtcNow();
            var canaries = coordinator.Canaries.ToList();
            var updated = new List<CanaryDefinition>(canaries.Count);
            foreach (var canary in canaries)
            {
                if (!canary.Schedule.FitDutyBudget || canary.Schedule.Interval == interval)
                {
                    updated.Add(canary);
                    continue;
                }

                var replanned = canary with { Schedule = canary.Schedule with { Interval = interval } };
                var key = new TriggerKey(canary.Name, CanaryJob.Group);
                var next = (await scheduler.GetTrigger(key, cancellationToken))?.GetNextFireTimeUtc() ?? now;
                var start = coordinator.HasFired(canary.Name) ? next + (interval - canary.Schedule.Interval) : next;
                await scheduler.RescheduleJob(key, CanarySchedules.Trigger(replanned, start > now ? start : now), cancellationToken);
                updated.Add(replanned);
            }

            coordinator.Replace(updated);
            sink.SetSchedulePeriods(updated.Select(c => (c.Name, CanarySchedules.Period(c.Schedule, now))).ToList());
        }
#pragma warning disable CA1031 // A failed re-plan keeps the old schedule; the daemon goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReplanFailed(logger, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventId = 425, Level = LogLevel.Warning, Message = "The canaries fitted to the duty budget could not be re-planned; they keep their schedule")]
    private static partial void LogReplanFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Canary {Canary} scheduled {Schedule} on {Device}, first run at {FirstRun:O}")]
    private static partial void LogScheduled(ILogger logger, string canary, string schedule, DeviceRef device, DateTimeOffset firstRun);

    [LoggerMessage(EventId = 422, Level = LogLevel.Debug, Message = "Canary {Canary} keeps its schedule")]
    private static partial void LogKept(ILogger logger, string canary);

    [LoggerMessage(EventId = 423, Level = LogLevel.Error, Message = "The configured canaries could not be scheduled; the probes keep running")]
    private static partial void LogInitialFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "No canaries are configured; only the probes run")]
    private static partial void LogNoCanaries(ILogger logger);
}
