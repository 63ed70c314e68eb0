using System.Collections.Specialized;
using BenchDaemon.Scheduling;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using Quartz.Impl;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>The canary jobs on a real (not started) Quartz scheduler across reloads.</summary>
public sealed class CanarySchedulingServiceTests : IAsyncLifetime
{
    // In the future: the scheduler is not started, and Quartz moves start times that lie in the past.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow.AddHours(1));
    private readonly CoordinatorHarness _harness;
    private readonly StdSchedulerFactory _factory = new(new NameValueCollection
    {
        ["quartz.scheduler.instanceName"] = $"reload-test-{Guid.NewGuid():N}",
        ["quartz.threadPool.threadCount"] = "1",
    });

    private IScheduler _scheduler = null!;

    public CanarySchedulingServiceTests()
    {
        _harness = new CoordinatorHarness(timeProvider: _time);
    }

    public async ValueTask InitializeAsync() => _scheduler = await _factory.GetScheduler();

    // xunit v3 calls DisposeAsync alone when a class has both: the harness goes here too.
    public async ValueTask DisposeAsync()
    {
        await _scheduler.Shutdown();
        _harness.Dispose();
    }

    [Fact]
    public async Task ScheduleAsync_Reload_KeepsUnchangedTriggersAndRestartsChangedAddedAndRemovedOnes()
    {
        using var service = new CanarySchedulingService(_factory, _harness.Coordinator, _harness.Sink, _ => Task.FromResult<IReadOnlyList<CanaryDefinition>>([]), _time, NullLogger<CanarySchedulingService>.Instance);
        var two = TimeSpan.FromSeconds(2);
        await service.ScheduleAsync(
            [TestCanaries.Cpu("kept", _harness.Mlp, interval: two), TestCanaries.Cpu("changed", _harness.Mlp, interval: two), TestCanaries.Cpu("removed", _harness.Mlp, interval: two)],
            CancellationToken.None);
        var start = _time.GetUtcNow();

        // A reload 7 s later: new definition objects, one schedule changed, one canary removed, one added.
        _time.Advance(TimeSpan.FromSeconds(7));
        var reload = _time.GetUtcNow();
        await service.ScheduleAsync(
            [TestCanaries.Cpu("kept", _harness.Mlp, interval: two), TestCanaries.Cpu("changed", _harness.Mlp, interval: TimeSpan.FromSeconds(3)), TestCanaries.Cpu("added", _harness.Mlp, interval: two)],
            CancellationToken.None);

        var kept = await Trigger("kept");
        Assert.Equal(start, kept!.StartTimeUtc); // not re-planned by the reload
        Assert.Equal(reload, (await Trigger("changed"))!.StartTimeUtc); // the first of the re-spread canaries
        Assert.Equal(reload + TimeSpan.FromSeconds(1), (await Trigger("added"))!.StartTimeUtc); // second of two: min(2 s ÷ 2, 15 s)
        Assert.Null(await _scheduler.GetJobDetail(CanarySchedules.Key("removed"), TestContext.Current.CancellationToken));
        Assert.Equal(["added", "changed", "kept"], _harness.Coordinator.Canaries.Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReplanAsync_FittedCanaries_MoveToTheNewIntervalKeepingTheirPlaceOthersUntouched()
    {
        using var service = new CanarySchedulingService(_factory, _harness.Coordinator, _harness.Sink, _ => Task.FromResult<IReadOnlyList<CanaryDefinition>>([]), _time, NullLogger<CanarySchedulingService>.Instance);
        var fifteen = TimeSpan.FromMinutes(15);
        CanaryDefinition Fitted(string name) => TestCanaries.Cpu(name, _harness.Mlp, interval: fifteen) is var c ? c with { Schedule = c.Schedule with { FitDutyBudget = true } } : null!;
        // "busy" measures for a second: its first firing has come, its run has not finished when
        // the re-plan comes (as when the planner learns from another canary's first run).
        var slow = _harness.Write("slow.onnx", TinyModels.Slow(8));
        var busyCanary = TestCanaries.Cpu("busy", slow, TestCanaries.Quick(minDuration: TimeSpan.FromSeconds(1)), interval: fifteen);
        await service.ScheduleAsync([Fitted("a"), Fitted("b"), Fitted("new"), busyCanary with { Schedule = busyCanary.Schedule with { FitDutyBudget = true } }, TestCanaries.Cpu("user", _harness.Mlp, interval: fifteen)], CancellationToken.None);
        await _harness.Coordinator.RunAsync("a", CancellationToken.None);
        await _harness.Coordinator.RunAsync("b", CancellationToken.None);
        var nextA = (await Trigger("a"))!.GetNextFireTimeUtc()!.Value;
        var nextB = (await Trigger("b"))!.GetNextFireTimeUtc()!.Value;
        var firstNew = (await Trigger("new"))!.GetNextFireTimeUtc()!.Value;
        var nextBusy = (await Trigger("busy"))!.GetNextFireTimeUtc()!.Value;
        var busyRun = _harness.Coordinator.RunAsync("busy", CancellationToken.None);

        await service.ReplanAsync(TimeSpan.FromMinutes(63), CancellationToken.None);
        Assert.False(busyRun.IsCompleted, "the busy canary's run finished before the re-plan: the test no longer shows a run in progress");
        await busyRun;
        Assert.Equal(nextBusy + TimeSpan.FromMinutes(48), (await Trigger("busy"))!.StartTimeUtc);

        var a = (ISimpleTrigger)(await Trigger("a"))!;
        Assert.Equal(TimeSpan.FromMinutes(63), a.RepeatInterval);
        Assert.Equal(nextA + TimeSpan.FromMinutes(48), a.StartTimeUtc);
        Assert.Equal(nextB + TimeSpan.FromMinutes(48), (await Trigger("b"))!.StartTimeUtc);

        // Not run yet: its first run stays where the first round put it; the new interval follows it.
        var fresh = (ISimpleTrigger)(await Trigger("new"))!;
        Assert.Equal(firstNew, fresh.StartTimeUtc);
        Assert.Equal(TimeSpan.FromMinutes(63), fresh.RepeatInterval);
        Assert.Equal(fifteen, ((ISimpleTrigger)(await Trigger("user"))!).RepeatInterval);
        Assert.All(_harness.Coordinator.Canaries.Where(c => c.Schedule.FitDutyBudget), c => Assert.Equal(TimeSpan.FromMinutes(63), c.Schedule.Interval));
    }

    private async Task<ITrigger?> Trigger(string name) => await _scheduler.GetTrigger(new TriggerKey(name, CanaryJob.Group));
}
