using System.Diagnostics;
using BenchDaemon.Cli;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Studies;

namespace BenchDaemon.Tests.Hosting;

/// <summary>The study verb as a process: Ctrl-C (SIGINT) and SIGTERM stop it between cells and it still writes what it measured.</summary>
public sealed class StudyProcessTests : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Theory]
    [InlineData(Signals.SigInt)]
    [InlineData(Signals.SigTerm)]
    public async Task Study_Signal_StopsAndWritesTheCellsMeasured(int signal)
    {
        var output = Path.Combine(_state.Path, "out");
        var info = DaemonProcess.StartInfo("dotnet");
        foreach (var arg in new[]
        {
            DaemonProcess.DllPath, "study", "batch", "--models", "builtin:resnet-mini", "--providers", "CPU", "--batches", "1,2,4,8,16,32",
            "--threads", "1", "--iterations", "100000", "--seconds", "1", "--budget", "5", "-o", output, "--set", $"State:Directory={_state.Path}",
        })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        string? line;
        var stderr = new List<string>();
        while ((line = await process.StandardError.ReadLineAsync(timeout.Token)) is not null)
        {
            stderr.Add(line);
            if (line.StartsWith("[1/12]", StringComparison.Ordinal))
            {
                break;
            }
        }

        Signals.Send(process.Id, signal);
        var rest = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == ExitCodes.Interrupted, string.Join('\n', stderr) + await rest + await stdout);
        var report = await File.ReadAllTextAsync(Path.Combine(output, StudyReportWriter.ReportFile), TestContext.Current.CancellationToken);
        Assert.Contains("**interrupted**", report, StringComparison.Ordinal);
        var rows = await File.ReadAllLinesAsync(Path.Combine(output, StudyReportWriter.CsvFile), TestContext.Current.CancellationToken);
        Assert.InRange(rows.Length - 1, 1, 11);
        Assert.DoesNotContain(rows, r => r.Contains(",shutdown,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Daemon_ScheduledStudy_RunsThroughQuartzAndExportsItsCells()
    {
        var model = _state.File("mlp.onnx", string.Empty);
        await File.WriteAllBytesAsync(model, TinyModels.Mlp(), TestContext.Current.CancellationToken);
        await using var daemon = DaemonProcess.Start(_state.Path,
        [
            "--set", "Studies:0:Name=tiny", "--set", "Studies:0:Kind=Batch", "--set", "Studies:0:Quick=true",
            "--set", $"Studies:0:Models:0={model}", "--set", "Studies:0:Providers:0=CPU", "--set", "Studies:0:Batches:0=1", "--set", "Studies:0:Batches:1=2",
            "--set", "Studies:0:Threads=1", "--set", "Studies:0:Cron=0/2 * * * * ?",
        ]);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        string metrics;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, $"no study metrics:\n{daemon.StandardOutput}\n{daemon.StandardError}");
            await Task.Delay(500, TestContext.Current.CancellationToken);
            metrics = await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(30));
        }
        while (!metrics.Contains("benchdaemon_study_last_run_timestamp_seconds{study=\"tiny\"}", StringComparison.Ordinal));

        Assert.Contains("benchdaemon_study_throughput_samples_per_second{study=\"tiny\",model=\"mlp\",provider=\"CPU\",precision=\"FP32\",batch=\"2\",configuration=\"optimised\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_study_cells{study=\"tiny\",status=\"failed\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("Study tiny (Batch) scheduled", daemon.StandardOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Directory.GetDirectories(Path.Combine(_state.Path, "studies", "tiny")).First(d => !d.EndsWith("trt-engines", StringComparison.Ordinal)), StudyReportWriter.ReportFile)));
    }
}
