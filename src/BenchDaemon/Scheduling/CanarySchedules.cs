using BenchDaemon.Workloads.Canaries;
using Quartz;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Quartz triggers for canary schedules. Misfires (the previous run was still going, or the
/// daemon was paused): interval schedules skip to their next planned time on the original grid
/// (<c>NextWithRemainingCount</c>), so a late canary neither runs back to back nor drifts off its
/// cadence; cron schedules run once now and go back to their calendar (<c>FireAndProceed</c>).
/// Missed runs are never replayed in a burst; <see cref="CanaryMisfireListener"/> counts them.
/// </summary>
public static class CanarySchedules
{
    /// <summary>The trigger of <paramref name="canary"/>, first firing at <paramref name="start"/> (interval) or the next cron time after it.</summary>
    public static ITrigger Trigger(CanaryDefinition canary, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var builder = TriggerBuilder.Create()
            .WithIdentity(canary.Name, CanaryJob.Group)
            .ForJob(canary.Name, CanaryJob.Group)
            .StartAt(start);
        return canary.Schedule.Cron is { } cron
            ? builder.WithCronSchedule(cron, x => x.WithMisfireHandlingInstructionFireAndProceed().InTimeZone(TimeZoneInfo.Utc)).Build()
            : builder.WithSimpleSchedule(x => x.WithInterval(canary.Schedule.Interval).RepeatForever().WithMisfireHandlingInstructionNextWithRemainingCount()).Build();
    }

    /// <summary>Longest gap between the first firings of two interval canaries at start or reload.</summary>
    public static readonly TimeSpan MaxFirstRunSpacing = TimeSpan.FromSeconds(15);

    /// <summary>
    /// First firing of each canary: interval canaries are spread out so that a start or a
    /// reload does not put every canary in the queue at once (which would drop all but
    /// <c>Guards:QueueLength</c> of them as <c>queue_full</c>). The k-th interval canary (in
    /// configuration order) starts k × min(its interval ÷ the number of interval canaries,
    /// <see cref="MaxFirstRunSpacing"/>) after <paramref name="now"/>. Cron canaries keep their calendar.
    /// </summary>
    public static IReadOnlyList<DateTimeOffset> FirstFirings(IReadOnlyList<CanaryDefinition> canaries, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(canaries);
        var intervalCount = canaries.Count(c => c.Schedule.Cron is null);
        var starts = new DateTimeOffset[canaries.Count];
        var k = 0;
        for (var i = 0; i < canaries.Count; i++)
        {
            if (canaries[i].Schedule.Cron is not null)
            {
                starts[i] = now;
                continue;
            }

            var spacing = TimeSpan.FromTicks(Math.Min(canaries[i].Schedule.Interval.Ticks / intervalCount, MaxFirstRunSpacing.Ticks));
            starts[i] = now + (spacing * k);
            k++;
        }

        return starts;
    }

    /// <summary>The Quartz key of the job (and trigger) of the canary called <paramref name="name"/>.</summary>
    public static JobKey Key(string name) => new(name, CanaryJob.Group);

    /// <summary>The job of <paramref name="canary"/>.</summary>
    public static IJobDetail Job(CanaryDefinition canary)
    {
        ArgumentNullException.ThrowIfNull(canary);
        return JobBuilder.Create<CanaryJob>()
            .WithIdentity(canary.Name, CanaryJob.Group)
            .UsingJobData(CanaryJob.CanaryKey, canary.Name)
            .Build();
    }

    /// <summary>Firings looked at to find a cron schedule's longest gap (enough for weekday-only or monthly calendars).</summary>
    public const int PeriodLookahead = 64;

    /// <summary>
    /// How long a healthy schedule may leave between two runs: the interval, or for a cron
    /// schedule the longest gap among its next <see cref="PeriodLookahead"/> firings after
    /// <paramref name="now"/> (a weekday-only cron has a weekend gap, and an alert on "no run
    /// in two periods" must not fire over it). Jitter is added, since a run may start that late.
    /// Null for a cron expression that never fires again.
    /// </summary>
    public static TimeSpan? Period(CanarySchedule schedule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.Cron is not { } cron)
        {
            return schedule.Interval + schedule.Jitter;
        }

        var expression = new CronExpression(cron) { TimeZone = TimeZoneInfo.Utc };
        var previous = expression.GetNextValidTimeAfter(now);
        TimeSpan? longest = null;
        for (var i = 0; i < PeriodLookahead && previous is { } from; i++)
        {
            var next = expression.GetNextValidTimeAfter(from);
            if (next is not { } to)
            {
                break;
            }

            longest = longest is { } l && l >= to - from ? l : to - from;
            previous = to;
        }

        return longest + schedule.Jitter;
    }
}
