using System.Text.RegularExpressions;
using BenchDaemon.History;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Tests.Hosting;

/// <summary>The real daemon writes its scheduled runs into the history and exports the verdict series.</summary>
[Collection(SerialTestGroup.Name)]
public sealed partial class HistoryHostTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_ScheduledCanary_RunsLandInTheStoreAndVerdictSeriesAreExported()
    {
        var model = Path.Combine(_temp.Path, "mlp.onnx");
        File.WriteAllBytes(model, TinyModels.Mlp());
        var config = _temp.File("config.json", $$"""
            { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1 },
              "Canaries": [ { "Name": "stored", "Model": "{{model}}", "Interval": "00:00:02", "Threads": 1,
                "Measure": { "MinIterations": 20, "MinDuration": "00:00:00.050", "WarmupMaxDuration": "00:00:00.200" } } ] }
            """);
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config]);
        await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(60));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string text;
        while (true)
        {
            text = await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(10));
            var match = RunsTotal().Match(text);
            if ((match.Success && double.Parse(match.Groups["v"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 2) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        Assert.Matches(RunsTotal(), text);
        Assert.Contains("benchdaemon_regression_active{canary=\"stored\",model=\"mlp\",provider=\"CPU\",precision=\"FP32\",batch=\"1\",metric=\"latency_p50\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_history_write_errors_total{reason=\"busy\"} 0", text, StringComparison.Ordinal);
        Assert.DoesNotMatch("benchdaemon_history_write_errors_total\\{reason=\"[a-z]+\"\\} [1-9]", text);

        // The CLI reads the store while the daemon writes it.
        using var store = HistoryStore.OpenRead(Path.Combine(_temp.Path, HistoryOptions.DefaultFileName));
        var runs = store.Runs("stored");
        Assert.True(runs.Count >= 2, $"{runs.Count} runs stored");
        Assert.Equal(Environment.MachineName, runs[0].Fingerprint.Host);
        Assert.Equal(64, runs[0].Fingerprint.ModelHash?.Length);
        Assert.NotEmpty(store.Samples(runs[0].Id));
    }

    [GeneratedRegex("(?m)^benchdaemon_history_runs_total\\{status=\"(ok|unstable)\"\\} (?<v>[0-9.e+]+)$")]
    private static partial Regex RunsTotal();
}
