using System.Text.Json;
using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Faults;

/// <summary>
/// The log file's disk fills up under a running daemon, and the log directory cannot be
/// written at start (docs/faults.md).
/// </summary>
[Collection(SerialTestGroup.Name)]
[Trait("Category", "Fault")]
public sealed partial class LogFaultTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_LogDiskFull_KeepsRunningAndExportingCountsOnceAndResumesTheFile()
    {
        using var disk = new Tmpfs(Path.Combine(_temp.Path, "logdisk"), kilobytes: 256);
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--set", $"Logs:Directory={disk.Path}", "--set", "Probes:Interval=00:00:00.500"]);
        await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(60));
        var file = await LogFileAsync(disk.Path, "BenchDaemon ");
        var before = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);

        var filler = disk.Fill();
        // SIGHUP makes the daemon log (a reload with no file): lines the full disk refuses.
        var text = await Scrape.UntilAsync(daemon, t =>
        {
            Signals.Send(daemon.Pid, Signals.SigHup);
            return Errors(t, "full") >= 1;
        }, "a log write error");
        var samples = Scrape.Value(text, "benchdaemon_probe_samples_total")!.Value;

        // 1. Still serving, and the series keep updating.
        text = await Scrape.UntilAsync(daemon, t => Scrape.Value(t, "benchdaemon_probe_samples_total") > samples + 2, "probe samples go on");
        Assert.Contains("\"status\":\"Healthy\"", await daemon.WaitForAsync("/healthz", TimeSpan.FromSeconds(10)), StringComparison.Ordinal);

        // 3. One line, on stderr (the journal), however many events the file refused.
        for (var i = 0; i < 3; i++)
        {
            Signals.Send(daemon.Pid, Signals.SigHup);
            await daemon.WaitForOutputAsync("SIGHUP received", TimeSpan.FromSeconds(10));
        }

        text = await Scrape.UntilAsync(daemon, t => Errors(t, "full") >= 3, "three refused log events");
        Assert.Single(Regex.Matches(daemon.StandardError, $"Log file in {Regex.Escape(disk.Path)} cannot be written \\(full: "));
        Assert.DoesNotContain("   at ", daemon.StandardError, StringComparison.Ordinal);

        // Space again: the file takes events again, after the lines it held before.
        File.Delete(filler);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!daemon.StandardError.Contains("is written again", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the file did not recover\nstderr: {daemon.StandardError}");
            Signals.Send(daemon.Pid, Signals.SigHup);
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        var (exitCode, _) = await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(15));
        Assert.Equal(0, exitCode);

        // 4. The earlier lines are intact and first; the new ones follow, each a whole JSON event.
        var after = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
        Assert.StartsWith(before, after, StringComparison.Ordinal);
        Assert.Contains("BenchDaemon stopped", after[before.Length..], StringComparison.Ordinal);
        foreach (var line in after.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var _ = JsonDocument.Parse(line);
        }
    }

    [Fact]
    public async Task Run_LogDirectoryNotWritable_Exits78NamingLogsDirectory()
    {
        var logs = Directory.CreateDirectory(Path.Combine(_temp.Path, "readonly-logs")).FullName;
        File.SetUnixFileMode(logs, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(
            ["run", "--set", $"Metrics:Listen=127.0.0.1:{FreePort.Next()}", "--set", $"State:Directory={_temp.Path}", "--set", $"Logs:Directory={logs}", "--set", "Defaults:Canaries=false"],
            launcher: Privileges.WithoutFileOverride);

        Assert.True(exitCode == 78, $"exit {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("benchdaemon: configuration error: Logs:Directory: ", line, StringComparison.Ordinal);
        Assert.Contains(logs, line, StringComparison.Ordinal);
    }

    private static double Errors(string metrics, string reason) =>
        Scrape.Value(metrics, $"benchdaemon_log_write_errors_total{{reason=\"{reason}\"}}") ?? throw new InvalidOperationException("no log error series");

    private static async Task<string> LogFileAsync(string directory, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (Directory.GetFiles(directory, "benchdaemon-*.clef") is [var file]
                && (await File.ReadAllTextAsync(file)).Contains(text, StringComparison.Ordinal))
            {
                return file;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no log file with '{text}' in {directory}");
            await Task.Delay(200);
        }
    }
}
