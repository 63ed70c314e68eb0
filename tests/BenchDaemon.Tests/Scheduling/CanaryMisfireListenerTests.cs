using BenchDaemon.Scheduling;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using Quartz.Spi;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>Firings a misfire drops are counted, so every planned firing is accounted for.</summary>
public sealed class CanaryMisfireListenerTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_start);
    private readonly CoordinatorHarness _harness;

    public CanaryMisfireListenerTests()
    {
        _harness = new CoordinatorHarness(timeProvider: _time);
    }

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(1.5, 1)] // the missed firing itself: the canary goes on at the next planned time
    [InlineData(1.99, 1)]
    [InlineData(2.0, 2)]
    [InlineData(7.5, 4)]
    public void Dropped_IntervalTrigger_TheMissedFiringAndThosePlannedUpToNow(double lateSeconds, int expected)
    {
        var trigger = Planned(CanarySchedules.Trigger(TestCanaries.Cpu("c", _harness.Mlp, interval: TimeSpan.FromSeconds(2)), s_start));

        Assert.Equal(expected, CanaryMisfireListener.Dropped(trigger, s_start + TimeSpan.FromSeconds(lateSeconds)));
    }

    [Fact]
    public void Dropped_CronTrigger_CalendarTimesInsideTheDelay()
    {
        var trigger = Planned(CanarySchedules.Trigger(TestCanaries.Cpu("c", _harness.Mlp, cron: "0 * * * * ?"), s_start));
        var missed = trigger.GetNextFireTimeUtc()!.Value;

        Assert.Equal(0, CanaryMisfireListener.Dropped(trigger, missed + TimeSpan.FromSeconds(59)));
        Assert.Equal(3, CanaryMisfireListener.Dropped(trigger, missed + TimeSpan.FromSeconds(210)));
    }

    [Fact]
    public void Dropped_ClockStepOfDays_IsBounded()
    {
        var trigger = Planned(CanarySchedules.Trigger(TestCanaries.Cpu("c", _harness.Mlp, interval: TimeSpan.FromSeconds(1)), s_start));

        Assert.Equal(CanaryMisfireListener.MaxCounted, CanaryMisfireListener.Dropped(trigger, s_start + TimeSpan.FromDays(30)));
    }

    [Fact]
    public async Task TriggerMisfired_CountsDroppedFiringsAsSkippedMisfire()
    {
        var canary = TestCanaries.Cpu("late", _harness.Mlp, interval: TimeSpan.FromSeconds(2));
        _harness.Coordinator.Replace([canary]);
        var listener = new CanaryMisfireListener(_harness.Coordinator, _time);
        var trigger = Planned(CanarySchedules.Trigger(canary, s_start));

        _time.Advance(TimeSpan.FromSeconds(6.5)); // the firing planned at 0 s waited: it and those at 2, 4 and 6 s are lost
        await listener.TriggerMisfired(trigger, TestContext.Current.CancellationToken);

        var text = await _harness.ScrapeAsync();
        Assert.Contains("benchdaemon_canary_runs_total{canary=\"late\",status=\"skipped\",reason=\"misfire\"} 4", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TriggerMisfired_OtherGroupsAndRemovedCanaries_CountNothing()
    {
        _harness.Coordinator.Replace([]);
        var listener = new CanaryMisfireListener(_harness.Coordinator, _time);
        var removed = Planned(CanarySchedules.Trigger(TestCanaries.Cpu("gone", _harness.Mlp, interval: TimeSpan.FromSeconds(2)), s_start));
        var study = Planned(TriggerBuilder.Create().WithIdentity("s", "studies").StartAt(s_start)
            .WithSimpleSchedule(x => x.WithInterval(TimeSpan.FromSeconds(2)).RepeatForever()).Build());

        _time.Advance(TimeSpan.FromSeconds(10));
        await listener.TriggerMisfired(removed, TestContext.Current.CancellationToken);
        await listener.TriggerMisfired(study, TestContext.Current.CancellationToken);

        Assert.DoesNotContain("reason=\"misfire\"", await _harness.ScrapeAsync(), StringComparison.Ordinal);
    }

    // A trigger as the scheduler holds it: its first firing computed.
    private static ITrigger Planned(ITrigger trigger)
    {
        ((IOperableTrigger)trigger).ComputeFirstFireTimeUtc(null);
        return trigger;
    }
}
