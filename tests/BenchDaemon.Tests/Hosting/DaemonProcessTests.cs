using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Hosting;

/// <summary>The real executable: starts, serves /metrics and /healthz, passes promtool, stops on signals.</summary>
public sealed partial class DaemonProcessTests : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Run_Started_ServesHostMetricsAndStopsWithin5SecondsOfSigterm()
    {
        await using var daemon = DaemonProcess.Start(_state.Path);

        var metrics = await daemon.WaitForAsync("/metrics", s_startTimeout);

        Assert.Matches(SeriesLine("benchdaemon_host_cpu_seconds_total", "{mode=\"user\"}"), metrics);
        Assert.Matches(SeriesLine("benchdaemon_host_cpu_seconds_total", "{mode=\"idle\"}"), metrics);
        Assert.Matches(SeriesLine("benchdaemon_host_memory_total_bytes", string.Empty), metrics);
        Assert.Matches(SeriesLine("benchdaemon_host_memory_available_bytes", string.Empty), metrics);
        Assert.Matches(SeriesLine("benchdaemon_host_load1", string.Empty), metrics);
        // The ONNX Runtime version comes from a worker, asked in the background at start.
        var described = await Scrape.UntilAsync(daemon, m => m.Contains("benchdaemon_build_info{", StringComparison.Ordinal), "build info", s_startTimeout);
        Assert.Matches("benchdaemon_build_info\\{version=\"[^\"]+\",onnxruntime_version=\"\\d+\\.\\d+\\.\\d+\"\\} 1", described);
        Assert.Equal(Environment.ProcessorCount, (int)Value(metrics, "benchdaemon_host_cpus"));
        var memTotal = Value(metrics, "benchdaemon_host_memory_total_bytes");
        Assert.InRange(memTotal, 64.0 * 1024 * 1024, 64.0 * 1024 * 1024 * 1024 * 1024);

        var (exitCode, elapsed) = await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(5));

        Assert.Equal(0, exitCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"stopped after {elapsed}");
        Assert.Contains("BenchDaemon stopped", daemon.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Sigint_StopsGracefully()
    {
        await using var daemon = DaemonProcess.Start(_state.Path);
        await daemon.WaitForAsync("/metrics", s_startTimeout);

        var (exitCode, elapsed) = await daemon.StopAsync(Signals.SigInt, TimeSpan.FromSeconds(5));

        Assert.Equal(0, exitCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"stopped after {elapsed}");
    }

    [Fact]
    public async Task Run_SighupWithoutConfigFile_ReloadsAndKeepsRunning()
    {
        await using var daemon = DaemonProcess.Start(_state.Path);
        await daemon.WaitForAsync("/metrics", s_startTimeout);

        Signals.Send(daemon.Pid, Signals.SigHup);

        await daemon.WaitForOutputAsync("Configuration reloaded (SIGHUP)", TimeSpan.FromSeconds(20));
        await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(5));
        Assert.Contains("SIGHUP received", daemon.StandardOutput, StringComparison.Ordinal);
        var (exitCode, _) = await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(5));
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task Metrics_Scraped_PassesPromtoolCheckWithNoFindings()
    {
        await using var daemon = DaemonProcess.Start(_state.Path, ["--set", "Probes:PerCpu=true", "--set", "Probes:Interval=00:00:00.200"]);
        await daemon.WaitForAsync("/metrics", s_startTimeout);
        // A second tick, so rate-derived gauges exist too.
        var metrics = await Scrape.UntilAsync(daemon, m => m.Contains("benchdaemon_host_cpu_utilization_ratio ", StringComparison.Ordinal), "a rate-derived gauge", s_startTimeout);
        Assert.Contains("benchdaemon_host_cpu_core_seconds_total{cpu=\"0\",mode=\"user\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_host_cpu_utilization_ratio ", metrics, StringComparison.Ordinal);

        var (exitCode, output) = await Promtool.RunAsync(metrics, "check", "metrics");

        Assert.True(exitCode == 0, $"promtool exit {exitCode}: {output}");
        Assert.Equal(string.Empty, output.Trim());
    }

    [Fact]
    public async Task Metrics_GzipAccepted_ServesTheSameExpositionCompressed()
    {
        await using var daemon = DaemonProcess.Start(_state.Path);
        await daemon.WaitForAsync("/metrics", s_startTimeout);
        using var handler = new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None };
        using var client = new HttpClient(handler) { BaseAddress = daemon.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.AcceptEncoding.ParseAdd("gzip");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        await using var gzip = new System.IO.Compression.GZipStream(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var text = await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.Contains("benchdaemon_host_cpu_seconds_total{mode=\"user\"}", text, StringComparison.Ordinal);
        var (exitCode, output) = await Promtool.RunAsync(text, "check", "metrics");
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Healthz_WhileSampling_ReportsHealthyWithSampleCount()
    {
        await using var daemon = DaemonProcess.Start(_state.Path);

        var health = await daemon.WaitForAsync("/healthz", s_startTimeout);

        Assert.Contains("\"status\":\"Healthy\"", health, StringComparison.Ordinal);
        Assert.Matches("\"samples\":[1-9]", health);
    }

    [Fact]
    public async Task Run_WritesCompactJsonLogFileUnderStateDirectory()
    {
        await using (var daemon = DaemonProcess.Start(_state.Path))
        {
            await daemon.WaitForAsync("/metrics", s_startTimeout);
            await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(5));
        }

        var file = Assert.Single(Directory.GetFiles(Path.Combine(_state.Path, "logs"), "benchdaemon-*.clef"));
        var lines = await File.ReadAllLinesAsync(file, TestContext.Current.CancellationToken);
        Assert.Contains(lines, l => l.StartsWith("{\"@t\":", StringComparison.Ordinal) && l.Contains("BenchDaemon stopped", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_PortAlreadyInUse_Exits78NamingMetricsListen()
    {
        await using var first = DaemonProcess.Start(_state.Path);
        await first.WaitForAsync("/metrics", s_startTimeout);
        using var second = new TempDirectory();

        var (exitCode, _, stderr) = await DaemonProcess.RunAsync(
            ["run", "--set", $"Metrics:Listen=127.0.0.1:{first.Port}", "--set", $"State:Directory={second.Path}", "--set", "Logs:Console=false", "--set", "Defaults:Canaries=false"]);

        Assert.Equal(78, exitCode);
        // One line naming the key, no stack trace; the daemon holding the port is untouched.
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"benchdaemon: configuration error: Metrics:Listen: 127.0.0.1:{first.Port} is already in use", line, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_host_cpu_seconds_total", await first.WaitForAsync("/metrics", s_startTimeout), StringComparison.Ordinal);
        Assert.False(first.HasExited);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_ProcFileMissingThenMalformed_SourceSkippedCountedLoggedOnceOthersContinue()
    {
        using var proc = new TempDirectory();
        proc.File("stat", "cpu  100 0 50 1000 0 0 0 0 0 0\ncpu0 100 0 50 1000 0 0 0 0 0 0\nintr 0\n");
        var meminfo = proc.File("meminfo", "MemTotal:       16384000 kB\nMemFree:         8192000 kB\nMemAvailable:   12288000 kB\n");
        var loadavg = proc.File("loadavg", "0.50 0.40 0.30 1/200 4242\n");
        await using var daemon = DaemonProcess.Start(_state.Path, ["--set", $"Probes:ProcRoot={proc.Path}", "--set", "Probes:Interval=00:00:00.200"]);
        var before = await daemon.WaitForAsync("/metrics", s_startTimeout);
        Assert.Equal(0.5, Value(before, "benchdaemon_host_load1"));

        File.Delete(loadavg);
        var missing = await WaitForMetricsAsync(daemon, m => Value(m, "benchdaemon_host_probe_errors_total{source=\"loadavg\",reason=\"missing\"}") >= 5);

        Assert.DoesNotMatch(SeriesLine("benchdaemon_host_load1", string.Empty), missing);
        Assert.Equal(16384000.0 * 1024, Value(missing, "benchdaemon_host_memory_total_bytes"));
        Assert.Matches(SeriesLine("benchdaemon_host_cpu_seconds_total", "{mode=\"user\"}"), missing);
        Assert.True(Value(missing, "benchdaemon_probe_samples_total") > Value(before, "benchdaemon_probe_samples_total"));

        await File.WriteAllTextAsync(meminfo, "MemTotal:       lots kB\n", TestContext.Current.CancellationToken);
        var malformed = await WaitForMetricsAsync(daemon, m => Value(m, "benchdaemon_host_probe_errors_total{source=\"meminfo\",reason=\"malformed\"}") >= 5);

        Assert.DoesNotMatch(SeriesLine("benchdaemon_host_memory_total_bytes", string.Empty), malformed);
        Assert.Matches(SeriesLine("benchdaemon_host_cpu_seconds_total", "{mode=\"user\"}"), malformed);
        Assert.True(Value(malformed, "benchdaemon_host_probe_errors_total{source=\"loadavg\",reason=\"missing\"}") > Value(missing, "benchdaemon_host_probe_errors_total{source=\"loadavg\",reason=\"missing\"}"));

        await File.WriteAllTextAsync(loadavg, "0.75 0.40 0.30 1/200 4242\n", TestContext.Current.CancellationToken);
        var repaired = await WaitForMetricsAsync(daemon, m => Regex.IsMatch(m, SeriesLine("benchdaemon_host_load1", string.Empty)));

        Assert.Equal(0.75, Value(repaired, "benchdaemon_host_load1"));
        var output = daemon.StandardOutput;
        Assert.Single(Regex.Matches(output, Regex.Escape($"Could not read load averages from {loadavg}: Could not find file")));
        Assert.Single(Regex.Matches(output, Regex.Escape($"Could not read memory figures from {meminfo}:")));
        Assert.Single(Regex.Matches(output, Regex.Escape($"load averages can be read again from {loadavg}")));
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // no stack trace
        Assert.Contains("\"status\":\"Healthy\"", await daemon.WaitForAsync("/healthz", s_startTimeout), StringComparison.Ordinal);
    }

    private static Task<string> WaitForMetricsAsync(DaemonProcess daemon, Func<string, bool> condition) =>
        Scrape.UntilAsync(daemon, m => Regex.IsMatch(m, "(?m)^benchdaemon_probe_samples_total ") && condition(m), "the probe's series", TimeSpan.FromSeconds(45));

    private static string SeriesLine(string name, string labels) =>
        $"(?m)^{Regex.Escape(name + labels)} [0-9.e+E-]+$";

    private static double Value(string metrics, string name)
    {
        var match = Regex.Match(metrics, $"(?m)^{Regex.Escape(name)} (?<v>[0-9.e+E-]+)$");
        Assert.True(match.Success, $"{name} not found");
        return double.Parse(match.Groups["v"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
