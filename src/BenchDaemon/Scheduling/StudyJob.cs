using Quartz;

namespace BenchDaemon.Scheduling;

/// <summary>The Quartz job of one configured study; never runs concurrently with itself.</summary>
[DisallowConcurrentExecution]
public sealed class StudyJob(StudyService studies) : IJob
{
    /// <summary>The job-data key holding the study name.</summary>
    public const string StudyKey = "study";

    /// <summary>The Quartz group of study jobs and triggers.</summary>
    public const string Group = "studies";

    public Task Execute(IJobExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return studies.RunAsync(context.MergedJobDataMap.GetString(StudyKey)!, context.CancellationToken);
    }
}
