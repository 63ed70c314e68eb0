using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Tests.Hosting;

/// <summary>The real daemon running scheduled canaries on a tiny model.</summary>
public sealed partial class ScheduledCanaryTests : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_TwoSecondCanary_ExportsGrowingRunCountsAndLatencySeries()
    {
        var config = Config(Canary("tiny", "00:00:02"));
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config]);
        await daemon.WaitForAsync("/metrics", s_startTimeout);

        var first = await WaitForRunsAsync(daemon, "tiny", atLeast: 1);
        var second = await WaitForRunsAsync(daemon, "tiny", atLeast: first.Runs + 2);

        Assert.True(second.Runs >= first.Runs + 2);
        Assert.Contains("benchdaemon_canary_latency_seconds_bucket{canary=\"tiny\",model=\"mlp\",provider=\"CPU\",precision=\"FP32\",batch=\"1\",le=", second.Text, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_canary_last_latency_seconds{canary=\"tiny\",model=\"mlp\",provider=\"CPU\",precision=\"FP32\",batch=\"1\",stat=\"p99\"}", second.Text, StringComparison.Ordinal);
        Assert.Matches("(?m)^benchdaemon_canary_last_success_timestamp_seconds\\{canary=\"tiny\"\\} [0-9.e+]+$", second.Text);
        Assert.Matches("(?m)^benchdaemon_canary_throughput_samples_per_second\\{canary=\"tiny\",[^}]*\\} [0-9.e+]+$", second.Text);

        var (exitCode, output) = await Promtool.RunAsync(second.Text, "check", "metrics");
        Assert.True(exitCode == 0, output);
        Assert.Equal(string.Empty, output.Trim());
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_SigtermDuringCanary_StopsInTimeAndRecordsShutdown()
    {
        // A canary that measures for 30 s: SIGTERM arrives while it runs.
        var config = Config(Canary("long", "00:01:00", minDuration: "00:00:30", budget: "00:01:00"));
        // At Debug the daemon logs the worker's phases: SIGTERM goes once the session exists and the run measures.
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config, "--set", "Logs:Level=Debug"]);
        await daemon.WaitForAsync("/metrics", s_startTimeout);
        await daemon.WaitForOutputAsync("Canary long batch 1: measuring", TimeSpan.FromSeconds(60));

        var (exitCode, elapsed) = await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(15));

        Assert.Equal(0, exitCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(11), $"stopped after {elapsed} (host shutdown timeout is 10 s)");
        var log = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(_temp.Path, "logs"), "benchdaemon-*.clef").Single(), TestContext.Current.CancellationToken);
        Assert.Matches("\"Canary\":\"long\".*\"Status\":\"interrupted\".*\"Reason\":\"shutdown\"", log);

        // The history is sound and holds no half run: the interrupted run is whole, or recorded as shut down.
        using var store = BenchDaemon.History.HistoryStore.OpenRead(Path.Combine(_temp.Path, BenchDaemon.History.HistoryOptions.DefaultFileName));
        Assert.Equal("ok", store.IntegrityCheck());
        var run = Assert.Single(store.Runs("long"));
        Assert.True(
            run.Result.ReasonCode == "shutdown" || (run.Result.LatencySeconds is not null && store.Samples(run.Id).Length == run.Result.Iterations),
            $"half-recorded run: {run.ResultJson}");
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Sighup_BrokenFile_KeepsOldScheduleThenValidFileReplacesIt()
    {
        var config = Config(Canary("first", "00:00:02"));
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config]);
        await daemon.WaitForAsync("/metrics", s_startTimeout);
        await WaitForRunsAsync(daemon, "first", atLeast: 1);

        await File.WriteAllTextAsync(config, "{ \"Canaries\": [ { \"Name\": \"broken\", ", TestContext.Current.CancellationToken);
        Signals.Send(daemon.Pid, Signals.SigHup);
        await WaitForLogAsync(daemon, "rejected");
        var before = await WaitForRunsAsync(daemon, "first", atLeast: 1);
        var after = await WaitForRunsAsync(daemon, "first", atLeast: before.Runs + 1);
        Assert.True(after.Runs > before.Runs, "the old schedule must keep running");
        Assert.Contains("malformed JSON", daemon.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, Support.Scrape.Value(after.Text, "benchdaemon_config_last_reload_successful"));
        // The file watcher may reload the same broken file too: one line and one count per refusal.
        Assert.InRange(Support.Scrape.Value(after.Text, "benchdaemon_config_reload_errors_total{reason=\"invalid\"}") ?? 0, 1, 2);

        // Well-formed but invalid: the one line names the key; the old schedule still runs.
        await File.WriteAllTextAsync(config, File.ReadAllText(Config(Canary("second", "banana"))), TestContext.Current.CancellationToken);
        Signals.Send(daemon.Pid, Signals.SigHup);
        var invalid = await Support.Scrape.UntilAsync(daemon, t => daemon.StandardOutput.Contains("rejected: Canaries:0:Interval", StringComparison.Ordinal)
            && Support.Scrape.Value(t, "benchdaemon_config_reload_errors_total{reason=\"invalid\"}") >= 2, "the invalid file refused", TimeSpan.FromSeconds(30));
        var rejected = Regex.Matches(daemon.StandardOutput, "Configuration reload \\((SIGHUP|file change)\\) rejected: (?<problem>.*); the running configuration stays in effect");
        Assert.InRange(rejected.Count, 2, 4);
        Assert.StartsWith("Canaries:0:Interval", rejected[^1].Groups["problem"].Value, StringComparison.Ordinal);
        Assert.Equal(0, Support.Scrape.Value(invalid, "benchdaemon_config_last_reload_successful"));
        Assert.DoesNotContain("   at ", daemon.StandardOutput, StringComparison.Ordinal);
        var still = await WaitForRunsAsync(daemon, "first", atLeast: after.Runs + 1);
        Assert.True(still.Runs > after.Runs);

        await File.WriteAllTextAsync(config, File.ReadAllText(Config(Canary("second", "00:00:02"))), TestContext.Current.CancellationToken);
        Signals.Send(daemon.Pid, Signals.SigHup);
        var replaced = await WaitForRunsAsync(daemon, "second", atLeast: 1);
        Assert.True(replaced.Runs >= 1);
        Assert.Contains("Configuration reloaded (SIGHUP): 1 canaries scheduled", daemon.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, Support.Scrape.Value(replaced.Text, "benchdaemon_config_last_reload_successful"));
        var refusals = Regex.Count(daemon.StandardOutput, "Configuration reload \\((SIGHUP|file change)\\) rejected: ");
        Assert.Equal(refusals, Support.Scrape.Value(replaced.Text, "benchdaemon_config_reload_errors_total{reason=\"invalid\"}"));
    }

    private string Canary(string name, string interval, string minDuration = "00:00:00.050", string budget = "00:00:20")
    {
        var model = Path.Combine(_temp.Path, "mlp.onnx");
        if (!File.Exists(model))
        {
            File.WriteAllBytes(model, TinyModels.Mlp());
        }

        return $$"""
            { "Name": "{{name}}", "Model": "{{model}}", "Interval": "{{interval}}", "Threads": 1,
              "Measure": { "MinIterations": 20, "MinDuration": "{{minDuration}}", "Budget": "{{budget}}", "WarmupMaxDuration": "00:00:00.200" } }
            """;
    }

    // Guards off: the test machine is busy and the duty budget would (rightly) stop a 2 s schedule.
    private string Config(string canary) => _temp.File($"config-{Guid.NewGuid():N}.json", $$"""
        { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1 }, "Canaries": [ {{canary}} ] }
        """);

    private static async Task<(double Runs, string Text)> WaitForRunsAsync(DaemonProcess daemon, string canary, double atLeast)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var text = await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(10));
            var runs = Regex.Matches(text, $"(?m)^benchdaemon_canary_runs_total\\{{canary=\"{canary}\",status=\"(ok|unstable)\",[^}}]*\\}} (?<v>[0-9.e+]+)$")
                .Sum(m => double.Parse(m.Groups["v"].Value, System.Globalization.CultureInfo.InvariantCulture));
            if (runs >= atLeast || DateTime.UtcNow > deadline)
            {
                Assert.True(runs >= atLeast, $"{canary}: {runs} runs, expected {atLeast}\n{daemon.StandardOutput}");
                return (runs, text);
            }

            await Task.Delay(250);
        }
    }

    private static async Task WaitForLogAsync(DaemonProcess daemon, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!daemon.StandardOutput.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{text}' not logged:\n{daemon.StandardOutput}");
            await Task.Delay(100);
        }
    }
}
