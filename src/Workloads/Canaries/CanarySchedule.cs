namespace BenchDaemon.Workloads.Canaries;

/// <summary>When the daemon runs a canary: a fixed interval or a Quartz cron expression, plus a random start delay.</summary>
/// <param name="Interval">Period, when <paramref name="Cron"/> is null.</param>
/// <param name="Cron">Quartz cron expression (seconds first), or null.</param>
/// <param name="Jitter">Upper bound of the random delay before each run.</param>
/// <param name="FitDutyBudget">
/// The interval is a floor: the daemon lengthens it, from the canaries' measured cost, so that
/// every canary with this set stays within <c>Guards:DutyFraction</c> (the built-in defaults).
/// </param>
public sealed record CanarySchedule(TimeSpan Interval, string? Cron, TimeSpan Jitter, bool FitDutyBudget = false)
{
    /// <summary>The period when neither an interval nor a cron expression is configured.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(15);

    /// <summary>The shortest interval accepted.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);

    /// <summary>Human-readable form for logs and tables.</summary>
    public override string ToString() => Cron is not null ? $"cron '{Cron}'" : FitDutyBudget ? $"every {Interval} or longer (fits the duty budget)" : $"every {Interval}";
}
