using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Tests.Faults;

/// <summary>
/// The OTLP collector down (connection refused), then hanging (accepts, never answers):
/// canaries and probes keep their pace, memory stays bounded, and failures are counted by
/// reason and said once per reason (docs/faults.md).
/// </summary>
[Collection(SerialTestGroup.Name)]
[Trait("Category", "Fault")]
public sealed partial class OtlpFaultTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_CollectorRefusesThenHangs_ExportsFailCountedWhileCanariesAndProbesGoOn()
    {
        var port = FreePort.Next();
        var model = Path.Combine(_temp.Path, "mlp.onnx");
        File.WriteAllBytes(model, TinyModels.Mlp());
        var config = _temp.File("config.json", $$"""
            { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1 },
              "Otlp": { "Enabled": true, "Protocol": "HttpProtobuf", "Endpoint": "http://127.0.0.1:{{port}}", "Interval": "00:00:01", "Timeout": "00:00:02" },
              "Probes": { "Interval": "00:00:00.500" },
              "Canaries": [ { "Name": "tiny", "Model": "{{model}}", "Interval": "00:00:02", "Threads": 1,
                "Measure": { "MinIterations": 20, "MinDuration": "00:00:00.050", "WarmupMaxDuration": "00:00:00.200" } } ] }
            """);
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config]);

        // Down: nothing listens on the port.
        var text = await Scrape.UntilAsync(daemon, t => Errors(t, "unreachable") >= 3 && Measured(t) >= 2, "refused exports counted while canaries run");
        var rssDown = Rss(text);

        // Hanging: a listener that accepts every connection and never answers.
        using var hang = new TcpListener(IPAddress.Loopback, port);
        hang.Start();
        var held = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                held.Add(await hang.AcceptTcpClientAsync(stop.Token));
            }
        }, TestContext.Current.CancellationToken);
        var measured = Measured(text);
        var probed = Probed(text);
        text = await Scrape.UntilAsync(daemon, t => Errors(t, "timeout") >= 3, "timed-out exports counted", TimeSpan.FromSeconds(90));

        // Canaries (every 2 s) and probes (every 0.5 s) kept their pace while exports hung.
        text = await Scrape.UntilAsync(daemon, t => Measured(t) >= measured + 3 && Probed(t) >= probed + 10, "canaries and probes go on");
        Assert.True(held.Count >= 1, "the exporter connected to the hanging collector");

        // Memory stays bounded: the metric reader keeps no backlog, the trace batch queue is capped.
        Assert.True(Rss(text) < rssDown + 64 * 1024 * 1024, $"resident memory grew from {rssDown / 1e6:F0} MB to {Rss(text) / 1e6:F0} MB");
        Assert.Contains("\"status\":\"Healthy\"", await daemon.WaitForAsync("/healthz", TimeSpan.FromSeconds(10)), StringComparison.Ordinal);

        // One warning per reason, not one per export; no stack trace.
        var stdout = daemon.StandardOutput;
        Assert.Single(Regex.Matches(stdout, $"OTLP export to http://127.0.0.1:{port}/ failed \\(unreachable: "));
        Assert.Single(Regex.Matches(stdout, $"OTLP export to http://127.0.0.1:{port}/ failed \\(timeout: "));
        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);

        await stop.CancelAsync();
        hang.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
        held.ForEach(c => c.Dispose());
        var (exitCode, elapsed) = await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(15));
        Assert.Equal(0, exitCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(11), $"stopped after {elapsed}");
    }

    private static double Errors(string metrics, string reason) =>
        Scrape.Value(metrics, $"benchdaemon_otlp_export_errors_total{{reason=\"{reason}\"}}") ?? 0;

    private static double Measured(string metrics) => Scrape.Sum(metrics, "benchdaemon_canary_runs_total\\{canary=\"tiny\",status=\"(ok|unstable)\",[^}]*\\}");

    private static double Probed(string metrics) => Scrape.Value(metrics, "benchdaemon_probe_samples_total") ?? 0;

    private static double Rss(string metrics) => Scrape.Value(metrics, "process_resident_memory_bytes") ?? 0;
}
