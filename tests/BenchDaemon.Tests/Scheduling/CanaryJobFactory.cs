using BenchDaemon.Scheduling;
using Quartz;
using Quartz.Spi;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>Builds every <see cref="CanaryJob"/> with the test's coordinator, as the daemon's container does.</summary>
public sealed class CanaryJobFactory(CanaryCoordinator coordinator) : IJobFactory
{
    public IJob NewJob(TriggerFiredBundle bundle, IScheduler scheduler) => new CanaryJob(coordinator);

    public void ReturnJob(IJob job)
    {
    }
}
