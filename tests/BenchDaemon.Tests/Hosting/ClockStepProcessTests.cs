using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Tests.Hosting;

/// <summary>
/// The real daemon under libfaketime (Debian's faketime package; scripts/test installs it), whose
/// wall clock the test steps by rewriting the offset file while the monotonic clock runs on
/// untouched, as an NTP step or <c>date -s</c> would on a real machine.
/// </summary>
[Collection(SerialTestGroup.Name)]
public sealed class ClockStepProcessTests : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_WallClockSteppedBackAnHourThenForwardTwo_ScheduleKeepsItsPaceDurationsStayPositiveHistoryKeepsEveryRun()
    {
        var offset = _temp.File("faketime", "+0\n");
        var model = Path.Combine(_temp.Path, "mlp.onnx");
        File.WriteAllBytes(model, TinyModels.Mlp());
        var config = _temp.File("config.json", $$"""
            { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1 },
              "Canaries": [ { "Name": "tick", "Model": "{{model}}", "Interval": "00:00:01", "Threads": 1,
                "Measure": { "MinIterations": 20, "MinDuration": "00:00:00", "WarmupMaxDuration": "00:00:00.200", "Budget": "00:00:20" } } ] }
            """);
        var environment = new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = FakeTimeLibrary(),
            ["FAKETIME_TIMESTAMP_FILE"] = offset,
            ["FAKETIME_CACHE_DURATION"] = "1",
            // Only the wall clock steps; Stopwatch, timers and timeouts keep the real monotonic clock.
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
        };
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config, "--set", "Probes:Interval=00:00:00.250"], environment);
        var before = await WaitForAsync(daemon, m => Measured(m) >= 2);
        var wallBefore = Value(before, "benchdaemon_probe_last_sample_timestamp_seconds");
        // The first run starts the worker and may outlast a firing or two: those misfires are real.
        var misfiresBefore = Misfires(before);

        // An hour back: Quartz, which plans in wall-clock time, would wait an hour for the next run.
        await File.WriteAllTextAsync(offset, "-3600\n", TestContext.Current.CancellationToken);
        await daemon.WaitForOutputAsync("The wall clock stepped backwards by", s_deadline);
        var stepped = await WaitForAsync(daemon, m => Value(m, "benchdaemon_probe_last_sample_timestamp_seconds") < wallBefore - 3000);
        var back = await WaitForAsync(daemon, m => Measured(m) >= Measured(stepped) + 3);
        Assert.True(Value(back, "benchdaemon_probe_last_sample_timestamp_seconds") < wallBefore - 3000, "the daemon's wall clock went back an hour");

        // Two hours forward (an hour ahead of real time): one misfired run at most, then the same pace.
        await File.WriteAllTextAsync(offset, "+3600\n", TestContext.Current.CancellationToken);
        await daemon.WaitForOutputAsync("The wall clock stepped forwards by", s_deadline);
        var atStep = Measured(await daemon.WaitForAsync("/metrics", s_deadline));
        var watch = Stopwatch.StartNew();
        var forward = await WaitForAsync(daemon, m => Measured(m) >= atStep + 3);
        var runs = Measured(forward) - atStep;
        Assert.True(runs <= Math.Ceiling(watch.Elapsed.TotalSeconds) + 2, $"{runs} runs in {watch.Elapsed}: a burst");
        Assert.True(Value(forward, "benchdaemon_probe_last_sample_timestamp_seconds") > wallBefore + 3000, "the daemon's wall clock went forward");

        // Durations come from the monotonic clock: positive latencies, a duty share within [0, 1];
        Assert.InRange(Value(forward, "benchdaemon_canary_last_latency_seconds{canary=\"tick\",model=\"mlp\",provider=\"CPU\",precision=\"FP32\",batch=\"1\",stat=\"p50\"}"), 1e-7, 1);
        Assert.InRange(Value(forward, "benchdaemon_canary_duty_ratio"), 0, 1);
        // A firing is late by the scheduler's jitter, not by the step: at most the one at the step waited a minute or more.
        var firings = Value(forward, "benchdaemon_canary_start_delay_seconds_count");
        var withinAMinute = Value(forward, "benchdaemon_canary_start_delay_seconds_bucket{le=\"60\"}");
        Assert.True(firings - withinAMinute <= 1, $"{firings - withinAMinute} of {firings} firings started a minute or more late");
        Assert.True(Value(forward, "benchdaemon_canary_latency_seconds_sum{canary=\"tick\",model=\"mlp\",provider=\"CPU\",precision=\"FP32\",batch=\"1\"}") > 0);

        // The history took every run, whatever its timestamp: rows from the hour "before" the first ones included.
        var final = await WaitForAsync(daemon, m => History(m) >= Measured(forward));
        Assert.DoesNotMatch("(?m)^benchdaemon_history_write_errors_total [1-9]", final);
        // The step is not lost runs: a trigger late by the step is re-planned, not counted as misfired firings.
        Assert.Equal(misfiresBefore, Misfires(final));
        Assert.Equal(1, Regex.Count(daemon.StandardOutput, "The wall clock stepped backwards by"));
        Assert.Equal(1, Regex.Count(daemon.StandardOutput, "The wall clock stepped forwards by"));
        Assert.Contains("\"status\":\"Healthy\"", await daemon.WaitForAsync("/healthz", s_deadline), StringComparison.Ordinal);
    }

    private static string FakeTimeLibrary()
    {
        // The multi-threaded variant: the daemon reads the clock from many threads.
        var candidates = new[] { "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1", "/usr/lib/faketime/libfaketimeMT.so.1" };
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("the clock-step test needs libfaketime: install Debian's faketime package (scripts/test does)");
    }

    // The test process's own clock is not faked.
    private static Task<string> WaitForAsync(DaemonProcess daemon, Func<string, bool> condition) =>
        Scrape.UntilAsync(daemon, condition, "condition", s_deadline);

    private static double Measured(string metrics) =>
        Regex.Matches(metrics, "(?m)^benchdaemon_canary_runs_total\\{canary=\"tick\",status=\"(ok|unstable)\",[^}]*\\} (?<v>[0-9.e+]+)$")
            .Sum(m => double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture));

    private static double Misfires(string metrics) =>
        Regex.Matches(metrics, "(?m)^benchdaemon_canary_runs_total\\{canary=\"tick\",status=\"skipped\",reason=\"misfire\"\\} (?<v>[0-9.e+]+)$")
            .Sum(m => double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture));

    private static double History(string metrics) =>
        Regex.Matches(metrics, "(?m)^benchdaemon_history_runs_total\\{status=\"(ok|unstable)\"\\} (?<v>[0-9.e+]+)$")
            .Sum(m => double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture));

    private static double Value(string metrics, string series)
    {
        var match = Regex.Match(metrics, $"(?m)^{Regex.Escape(series)} (?<v>[0-9.e+E-]+)$");
        Assert.True(match.Success, $"no series {series} in:\n{metrics}");
        return double.Parse(match.Groups["v"].Value, CultureInfo.InvariantCulture);
    }
}
