using BenchDaemon.Telemetry;
using Quartz;

namespace BenchDaemon.Scheduling;

/// <summary>The Quartz job of one canary; never runs concurrently with itself.</summary>
[DisallowConcurrentExecution]
public sealed class CanaryJob(CanaryCoordinator coordinator, TelemetryRecorder recorder, CanaryResultSink sink, TimeProvider timeProvider) : IJob
{
    /// <summary>The job-data key holding the canary name.</summary>
    public const string CanaryKey = "canary";

    /// <summary>The Quartz group of canary jobs and triggers.</summary>
    public const string Group = "canaries";

    public Task Execute(IJobExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var canary = context.MergedJobDataMap.GetString(CanaryKey)!;
        sink.RecordFiring(canary);
        if (context.ScheduledFireTimeUtc is { } planned)
        {
            var delay = Math.Max(0, (timeProvider.GetUtcNow() - planned).TotalSeconds);
            recorder.Observe(TelemetryCatalogue.CanaryStartDelay, [delay], 1);
        }

        return coordinator.RunAsync(canary, context.CancellationToken);
    }
}
