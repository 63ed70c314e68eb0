using Quartz;

namespace BenchDaemon.Scheduling;

/// <summary>The Quartz job of one canary; never runs concurrently with itself.</summary>
[DisallowConcurrentExecution]
public sealed class CanaryJob(CanaryCoordinator coordinator) : IJob
{
    /// <summary>The job-data key holding the canary name.</summary>
    public const string CanaryKey = "canary";

    /// <summary>The Quartz group of canary jobs and triggers.</summary>
    public const string Group = "canaries";

    public Task Execute(IJobExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return coordinator.RunAsync(context.MergedJobDataMap.GetString(CanaryKey)!, context.CancellationToken);
    }
}
