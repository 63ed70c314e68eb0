using System.Diagnostics;
using System.Text.RegularExpressions;
using BenchDaemon.Scheduling;
using BenchDaemon.Workloads.Models;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>The coordinator with a real ONNX Runtime runner on tiny models and a real Prometheus scrape.</summary>
public sealed partial class CanaryCoordinatorTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    // Canary names are unique to this class: other classes run canaries in this process at the same time.
    private readonly string _prefix = "coord" + Guid.NewGuid().ToString("N")[..8] + "-";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CoordinatorHarness _harness;

    public CanaryCoordinatorTests()
    {
        _harness = new CoordinatorHarness(new GuardOptions { DutyFraction = 1 }, _time);
    }

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task RunAsync_TwoCpuCanariesFiredTogether_RunOneAfterTheOther()
    {
        var (a, b) = (Name("a"), Name("b"));
        _harness.Coordinator.Replace([TestCanaries.Cpu(a, _harness.Mlp), TestCanaries.Cpu(b, _harness.Mlp)]);
        using var recorder = new CanaryRunRecorder(a, b);

        await Task.WhenAll(_harness.Coordinator.RunAsync(a, CancellationToken.None), _harness.Coordinator.RunAsync(b, CancellationToken.None)).WaitAsync(s_timeout, TestContext.Current.CancellationToken);

        var runs = recorder.Runs;
        Assert.Equal([a, b], runs.Select(r => r.Canary).Order(StringComparer.Ordinal));
        Assert.True(runs[1].Start >= runs[0].End, $"{runs[0].Canary} ran {runs[0].Start:O}-{runs[0].End:O}, {runs[1].Canary} started {runs[1].Start:O}");
    }

    [Fact]
    public async Task RunAsync_QueueLengthOneAndThreeFiringsOnOneDevice_DropsOneAsQueueFull()
    {
        _harness.Guards.CurrentValue.QueueLength = 1;
        var (first, second, third) = (Name("q1"), Name("q2"), Name("q3"));
        _harness.Coordinator.Replace([TestCanaries.Cpu(first, _harness.Mlp), TestCanaries.Cpu(second, _harness.Mlp), TestCanaries.Cpu(third, _harness.Mlp)]);
        using var recorder = new CanaryRunRecorder(first, second, third);

        // The first runs, the second waits in the queue of one, the third finds it full.
        await Task.WhenAll(
            _harness.Coordinator.RunAsync(first, CancellationToken.None),
            _harness.Coordinator.RunAsync(second, CancellationToken.None),
            _harness.Coordinator.RunAsync(third, CancellationToken.None)).WaitAsync(s_timeout, TestContext.Current.CancellationToken);

        var text = await _harness.ScrapeAsync();
        var dropped = Assert.Single(QueueFullLine().Matches(text));
        Assert.Equal(third, dropped.Groups["canary"].Value);
        Assert.Equal("1", dropped.Groups["count"].Value);
        Assert.Equal([first, second], recorder.Runs.Select(r => r.Canary).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("cpu_busy")]
    [InlineData("duty_budget")]
    public async Task RunAsync_GuardRefuses_CountsSkipWithItsReasonAndDoesNotRun(string reason)
    {
        if (reason == "cpu_busy")
        {
            _harness.Guards.CurrentValue.CpuBusyThreshold = 0.8;
            _harness.Proc.At(0.95);
        }
        else
        {
            // 0.01 % of an hour is 0.36 s; a canary that never ran is expected to take longer.
            _harness.Guards.CurrentValue.DutyFraction = 0.0001;
        }

        var canary = Name("guarded");
        _harness.Coordinator.Replace([TestCanaries.Cpu(canary, _harness.Mlp)]);
        using var recorder = new CanaryRunRecorder(canary);

        await _harness.Coordinator.RunAsync(canary, CancellationToken.None).WaitAsync(s_timeout, TestContext.Current.CancellationToken);

        var text = await _harness.ScrapeAsync();
        Assert.Contains($"benchdaemon_canary_runs_total{{canary=\"{canary}\",status=\"skipped\",reason=\"{reason}\"}} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain($"benchdaemon_canary_runs_total{{canary=\"{canary}\",status=\"ok\"", text, StringComparison.Ordinal);
        Assert.Empty(recorder.Runs);
    }

    [Fact]
    public async Task RunAsync_ApplicationStoppingDuringSlowCanary_RecordsInterruptedNotFailed()
    {
        var canary = Name("slow");
        var slow = _harness.Write("slow.onnx", TinyModels.Slow(32));
        _harness.Coordinator.Replace([TestCanaries.Cpu(canary, slow, TestCanaries.Quick(minDuration: TimeSpan.FromSeconds(30)))]);
        using var recorder = new CanaryRunRecorder(canary);
        var run = _harness.Coordinator.RunAsync(canary, CancellationToken.None);
        await recorder.Measuring(canary).WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        var stopped = Stopwatch.StartNew();

        _harness.Lifetime.StopApplication();
        await run.WaitAsync(s_timeout, TestContext.Current.CancellationToken);

        // Stopped long before its 30 s measurement would have ended.
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(10), $"took {stopped.Elapsed} to stop");
        var text = await _harness.ScrapeAsync();
        Assert.Contains($"benchdaemon_canary_runs_total{{canary=\"{canary}\",status=\"interrupted\",reason=\"shutdown\"}} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain($"benchdaemon_canary_runs_total{{canary=\"{canary}\",status=\"failed\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MeasuredRun_ScrapeHasLatencyHistogramAndLastSuccess()
    {
        var canary = Name("measured");
        _harness.Coordinator.Replace([TestCanaries.Cpu(canary, _harness.Mlp)]);

        await _harness.Coordinator.RunAsync(canary, CancellationToken.None).WaitAsync(s_timeout, TestContext.Current.CancellationToken);

        var text = await _harness.ScrapeAsync();
        var labels = $"canary=\"{canary}\",model=\"mlp\",provider=\"CPU\",precision=\"FP32\",batch=\"1\"";
        Assert.Contains($"benchdaemon_canary_latency_seconds_bucket{{{labels},le=\"", text, StringComparison.Ordinal);
        Assert.Matches($"(?m)^benchdaemon_canary_latency_seconds_count{{{Regex.Escape(labels)}}} ([1-9][0-9]*)$", text);
        Assert.Contains($"benchdaemon_canary_last_success_timestamp_seconds{{canary=\"{canary}\"}} {_time.GetUtcNow().ToUnixTimeSeconds()}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CanaryRemovedByReplace_DoesNotRunWhenItsFiringArrives()
    {
        var (removed, kept) = (Name("removed"), Name("kept"));
        _harness.Coordinator.Replace([TestCanaries.Cpu(removed, _harness.Mlp), TestCanaries.Cpu(kept, _harness.Mlp)]);
        _harness.Coordinator.Replace([TestCanaries.Cpu(kept, _harness.Mlp)]);
        using var recorder = new CanaryRunRecorder(removed, kept);

        await _harness.Coordinator.RunAsync(removed, CancellationToken.None).WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        await _harness.Coordinator.RunAsync(kept, CancellationToken.None).WaitAsync(s_timeout, TestContext.Current.CancellationToken);

        Assert.Equal([kept], recorder.Runs.Select(r => r.Canary));
        var text = await _harness.ScrapeAsync();
        Assert.DoesNotContain($"canary=\"{removed}\"", text, StringComparison.Ordinal);
        Assert.Contains($"canary=\"{kept}\"", text, StringComparison.Ordinal);
    }

    private string Name(string suffix) => _prefix + suffix;

    [GeneratedRegex("""(?m)^benchdaemon_canary_runs_total\{canary="(?<canary>[^"]+)",status="skipped",reason="queue_full"\} (?<count>\S+)$""")]
    private static partial Regex QueueFullLine();
}
