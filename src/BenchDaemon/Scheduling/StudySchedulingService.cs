using BenchDaemon.Workloads.Studies;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace BenchDaemon.Scheduling;

/// <summary>Puts the configured studies on the Quartz scheduler at start (cron, default Sundays 03:00 UTC).</summary>
public sealed partial class StudySchedulingService(
    ISchedulerFactory schedulerFactory,
    StudyService studies,
    TimeProvider timeProvider,
    ILogger<StudySchedulingService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        foreach (var study in studies.Studies)
        {
            var name = study.EffectiveName;
            var cron = string.IsNullOrWhiteSpace(study.Cron) ? StudyOptions.DefaultCron : study.Cron.Trim();
            var job = JobBuilder.Create<StudyJob>().WithIdentity(name, StudyJob.Group).UsingJobData(StudyJob.StudyKey, name).Build();
            var trigger = TriggerBuilder.Create()
                .WithIdentity(name, StudyJob.Group)
                .ForJob(name, StudyJob.Group)
                .StartAt(timeProvider.GetUtcNow())
                .WithCronSchedule(cron, x => x.WithMisfireHandlingInstructionDoNothing().InTimeZone(TimeZoneInfo.Utc))
                .Build();
            await scheduler.ScheduleJob(job, trigger, cancellationToken);
            var root = studies.ReportRoot(study);
            LogScheduled(logger, name, study.Kind, cron, root);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 445, Level = LogLevel.Information, Message = "Study {Study} ({Kind}) scheduled at cron '{Cron}' UTC; reports in {Directory}")]
    private static partial void LogScheduled(ILogger logger, string study, StudyKind kind, string cron, string directory);
}
