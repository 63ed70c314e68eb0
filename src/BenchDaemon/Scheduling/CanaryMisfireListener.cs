using Quartz;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Counts the firings a misfire drops. A canary whose previous run is still going (or a daemon
/// paused past <c>MisfireThreshold</c>) misfires (<see cref="CanarySchedules"/>): an interval
/// canary skips to its next planned time, so the missed firing and those planned up to now never
/// run; a cron canary runs the missed one late, and those planned after it up to now never run. Each is counted as <c>benchdaemon_canary_runs_total{status="skipped",
/// reason="misfire"}</c>, so that every planned firing is accounted for. A trigger that looks late
/// because the wall clock stepped forwards is not counted: <see cref="ClockStepMonitor"/> re-plans it.
/// </summary>
public sealed class CanaryMisfireListener(CanaryCoordinator coordinator, TimeProvider timeProvider, ClockStepMonitor? clock = null) : ITriggerListener
{
    /// <summary>Most firings counted for one misfire (a clock step of days would otherwise count thousands).</summary>
    public const int MaxCounted = 10_000;

    public string Name => "benchdaemon-canary-misfires";

    public Task TriggerMisfired(ITrigger trigger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        if (trigger.Key.Group == CanaryJob.Group && clock?.Stepping() != true && Dropped(trigger, timeProvider.GetUtcNow()) is > 0 and var dropped)
        {
            coordinator.RecordMisfire(trigger.Key.Name, dropped);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The firings of <paramref name="trigger"/> that a misfire handled at <paramref name="now"/>
    /// drops: for an interval trigger, the missed firing and every one planned after it up to now
    /// (the grid is kept); for a cron trigger, those planned after the missed one (which runs late).
    /// </summary>
    public static int Dropped(ITrigger trigger, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        if (trigger.GetNextFireTimeUtc() is not { } missed || now <= missed)
        {
            return 0;
        }

        switch (trigger)
        {
            case ISimpleTrigger simple when simple.RepeatInterval > TimeSpan.Zero:
                return (int)Math.Min(MaxCounted, ((now - missed).Ticks / simple.RepeatInterval.Ticks) + 1);
            case ICronTrigger cron:
                var expression = new CronExpression(cron.CronExpressionString!) { TimeZone = cron.TimeZone };
                var count = 0;
                for (var next = expression.GetTimeAfter(missed); next is { } t && t <= now && count < MaxCounted; next = expression.GetTimeAfter(t))
                {
                    count++;
                }

                return count;
            default:
                return 0;
        }
    }

    public Task TriggerFired(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<bool> VetoJobExecution(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken = default) => Task.FromResult(false);

    public Task TriggerComplete(ITrigger trigger, IJobExecutionContext context, SchedulerInstruction triggerInstructionCode, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
