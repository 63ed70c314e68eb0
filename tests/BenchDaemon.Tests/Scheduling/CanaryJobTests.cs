using System.Diagnostics;
using System.Collections.Specialized;
using BenchDaemon.Scheduling;
using BenchDaemon.Workloads.Models;
using Quartz;
using Quartz.Impl;
using Quartz.Impl.Matchers;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>Canary jobs on a real Quartz scheduler with an in-memory store.</summary>
public sealed class CanaryJobTests : IDisposable
{
    private readonly CoordinatorHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Execute_OneSecondTriggerOnTwoAndAHalfSecondRun_ExecutionsNeverOverlap()
    {
        var name = "quartz" + Guid.NewGuid().ToString("N")[..8];
        var slow = _harness.Write("slow.onnx", TinyModels.Slow(8));
        var canary = TestCanaries.Cpu(name, slow, TestCanaries.Quick(minDuration: TimeSpan.FromSeconds(2.5)), interval: TimeSpan.FromSeconds(1));
        _harness.Coordinator.Replace([canary]);
        var scheduler = await new StdSchedulerFactory(new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = name,
            ["quartz.jobStore.type"] = "Quartz.Simpl.RAMJobStore, Quartz",
            ["quartz.threadPool.maxConcurrency"] = "8",
        }).GetScheduler(TestContext.Current.CancellationToken);
        scheduler.JobFactory = new CanaryJobFactory(_harness.Coordinator, _harness.Recorder, _harness.Sink, _harness.Time);
        var executions = new ExecutionRecorder();
        scheduler.ListenerManager.AddJobListener(executions, GroupMatcher<JobKey>.GroupEquals(CanaryJob.Group));
        using var runs = new CanaryRunRecorder(name);
        await scheduler.ScheduleJob(CanarySchedules.Job(canary), CanarySchedules.Trigger(canary, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);

        await scheduler.Start(TestContext.Current.CancellationToken);
        // Two whole executions (about 5 s; longer on a loaded machine), then stop during the next.
        var deadline = Stopwatch.StartNew();
        while (executions.Executions.Count < 2 && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }

        _harness.Lifetime.StopApplication(); // cancels the run in progress
        await scheduler.Shutdown(waitForJobsToComplete: true, TestContext.Current.CancellationToken);

        var windows = executions.Executions;
        Assert.True(windows.Count >= 2, $"{windows.Count} executions finished");
        // Each run outlasts the interval, so the trigger came due while a run was executing.
        Assert.True(windows[0].End - windows[0].Start > TimeSpan.FromSeconds(2), $"first execution took {windows[0].End - windows[0].Start}");
        for (var i = 1; i < windows.Count; i++)
        {
            Assert.True(windows[i].Start >= windows[i - 1].End, $"execution {i} started at {windows[i].Start} before execution {i - 1} ended at {windows[i - 1].End}");
        }

        Assert.True(runs.Runs.Count >= 2, $"{runs.Runs.Count} canary runs");
    }
}
