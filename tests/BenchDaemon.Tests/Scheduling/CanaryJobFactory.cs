using BenchDaemon.Scheduling;
using BenchDaemon.Telemetry;
using Quartz;
using Quartz.Spi;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>Builds every <see cref="CanaryJob"/> with the test's coordinator, as the daemon's container does.</summary>
public sealed class CanaryJobFactory(CanaryCoordinator coordinator, TelemetryRecorder recorder, CanaryResultSink sink, TimeProvider timeProvider) : IJobFactory
{
    public IJob NewJob(TriggerFiredBundle bundle, IScheduler scheduler) => new CanaryJob(coordinator, recorder, sink, timeProvider);

    public void ReturnJob(IJob job)
    {
    }
}
