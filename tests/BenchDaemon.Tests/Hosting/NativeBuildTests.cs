using System.Diagnostics;
using System.Text.Json;
using BenchDaemon.Tests.Cuda;
using BenchDaemon.Tests.Support;
using BenchDaemon.TestSupport;

namespace BenchDaemon.Tests.Hosting;

/// <summary>
/// The natively compiled daemon (<c>scripts/publish-native</c>, which the systemd install uses):
/// the verbs, a canary in a native worker, /metrics, and the daemon's resident memory, the
/// reason for the native build (issue G1: at most 80 MiB).
/// </summary>
public sealed class NativeBuildTests(NativeBuildTests.NativeBuild build) : IClassFixture<NativeBuildTests.NativeBuild>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Verbs_RunNatively_ConfigCheckAndOnceMeasureACanaryInANativeWorker()
    {
        var config = Config("00:10:00");

        var version = await DaemonProcess.RunAsync(["--version"], executable: build.Executable);
        string[] common = ["--config", config, "--set", $"State:Directory={_temp.Path}", "--set", "Defaults:Canaries=false"];
        var check = await DaemonProcess.RunAsync(["config", "check", "--json", .. common], executable: build.Executable);
        var once = await DaemonProcess.RunAsync(["once", "--json", .. common], timeout: TimeSpan.FromMinutes(3), executable: build.Executable);

        Assert.True(version.ExitCode == 0, version.Stderr);
        Assert.True(check.ExitCode == 0, check.Stderr);
        using var checkJson = JsonDocument.Parse(check.Stdout);
        Assert.Equal("tiny", checkJson.RootElement.GetProperty("Canaries")[0].GetProperty("Name").GetString());
        Assert.True(once.ExitCode == 0, once.Stderr + once.Stdout);
        using var onceJson = JsonDocument.Parse(once.Stdout);
        var result = onceJson.RootElement[0];
        Assert.Equal("tiny", result.GetProperty("canary").GetString());
        Assert.Contains(result.GetProperty("status").GetString(), new[] { "ok", "unstable" });
        Assert.True(result.GetProperty("iterations").GetInt64() >= 20);
    }

    [Fact]
    public async Task ReadmeCommand_ScriptsRun_ReusesTheNativeBuildAndPassesItsArgumentsToTheDaemon()
    {
        // The README's command, after the fixture's publish: nothing changed, so no new compilation.
        var info = DaemonProcess.StartInfo(Path.Combine(build.SourceRoot, "scripts", "run"));
        info.Environment["PUBLISH_OPTIONS"] = NativeBuild.PublishOptions;
        foreach (var argument in new[] { "config", "check", "--set", $"State:Directory={_temp.Path}", "--set", "Metrics:Listen=127.0.0.1:19999" })
        {
            info.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Contains("127.0.0.1:19999", await stdout, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"took {clock.Elapsed}: compiled again?");
    }

    [Fact]
    public async Task GpuPaths_RunNatively_NvmlProbeAndCudaMicroCanaryOnTheFakeLibraries()
    {
        var probe = await DaemonProcess.RunAsync(
            ["probe", "--json", "--window", "00:00:00.100", "--set", $"State:Directory={_temp.Path}", "--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}"],
            new Dictionary<string, string> { ["FAKE_NVML_SCRIPT"] = _temp.File("fake-nvml.script", "count 2\nset 1 temp 77\n") },
            executable: build.Executable);
        var config = _temp.File("cuda.json", """
            { "Canaries": [ { "Name": "gemm", "Model": "cuda:gemm", "Precision": "BF16", "Size": 1024,
              "Measure": { "MinIterations": 500, "MinDuration": "00:00:00", "WarmupMaxIterations": 10, "Budget": "00:00:20" } } ] }
            """);
        var once = await DaemonProcess.RunAsync(
            ["once", "--json", "--config", config, "--set", $"State:Directory={_temp.Path}", "--set", "Defaults:Canaries=false", "--set", $"Cuda:LibraryDirectory={FakeCudaLibraries.Full}"],
            new Dictionary<string, string> { ["CUDA_HOME"] = FakeCudaLibraries.Empty, ["FAKE_CUBLAS_MATMUL_US"] = "2000" },
            TimeSpan.FromSeconds(120),
            executable: build.Executable);

        Assert.True(probe.ExitCode == 0, probe.Stderr);
        using var probeJson = JsonDocument.Parse(probe.Stdout);
        var gpus = probeJson.RootElement.GetProperty("gpu").GetProperty("gpus");
        Assert.Equal(2, gpus.GetArrayLength());
        Assert.Equal(77, gpus[1].GetProperty("temperatureCelsius").GetDouble());
        Assert.True(once.ExitCode == 0, once.Stderr + once.Stdout);
        using var onceJson = JsonDocument.Parse(once.Stdout);
        var gemm = onceJson.RootElement[0];
        Assert.Equal("ok", gemm.GetProperty("status").GetString());
        Assert.Equal(0.002, gemm.GetProperty("latencySeconds").GetProperty("p50").GetDouble(), 9);
    }

    [Fact]
    public async Task Run_MeasuresInANativeWorker_ServesMetrics_LoadsNoOnnxRuntime_AndStaysUnder80MiB()
    {
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", Config("00:00:05")], executable: build.Executable);
        await daemon.WaitForAsync("/healthz", TimeSpan.FromSeconds(60));

        var metrics = await Scrape.UntilAsync(
            daemon,
            text => Scrape.Sum(text, "benchdaemon_canary_runs_total\\{canary=\"tiny\",status=\"(ok|unstable)\",[^}]*\\}") >= 3,
            "three measured runs of the tiny canary",
            TimeSpan.FromMinutes(3));
        // Settled: a few probe ticks and scrapes after the last run.
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var resident = ProcessResources.Read(daemon.Pid)!.ResidentMebibytes;
        var maps = await File.ReadAllTextAsync($"/proc/{daemon.Pid}/maps", TestContext.Current.CancellationToken);
        var (exitCode, _) = await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(15));

        Assert.Contains("benchdaemon_build_info{", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("libonnxruntime", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("libcoreclr", maps, StringComparison.Ordinal);
        Assert.True(resident <= 80, $"the native daemon holds {resident:F1} MiB after its runs");
        Assert.Equal(0, exitCode);
        Assert.Empty(Workers.WorkerProcesses.Of(daemon.Pid));
    }

    // A tiny built-in model, generated on first use by the worker.
    private string Config(string interval) => _temp.File($"config-{Guid.NewGuid():N}.json", $$"""
        {
          "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1 },
          "Canaries": [ { "Name": "tiny", "Model": "builtin:resnet-mini", "Interval": "{{interval}}", "Threads": 1,
            "Measure": { "MinIterations": 20, "MinDuration": "00:00:00.100", "Budget": "00:00:30", "WarmupMaxDuration": "00:00:00.200" } } ]
        }
        """);

    /// <summary>
    /// One native publish per test run, by <c>scripts/publish-native</c>, of a copy of the
    /// sources (the CPU build of ONNX Runtime, to keep it small): the copy keeps the compilation's
    /// restore and outputs away from the build the other tests run.
    /// </summary>
    public sealed class NativeBuild : IAsyncLifetime
    {
        private readonly TempDirectory _sources = new();

        /// <summary>The CPU-only build of ONNX Runtime: 330 MB less to copy.</summary>
        public const string PublishOptions = "-p:OnnxRuntimeFlavor=Cpu";

        /// <summary>The copy of the sources the build was made from.</summary>
        public string SourceRoot => _sources.Path;

        /// <summary>The natively compiled daemon, where <c>scripts/run</c> puts it.</summary>
        public string Executable => Path.Combine(_sources.Path, "artifacts", "native", "benchdaemon");

        public async ValueTask InitializeAsync()
        {
            foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "scripts/publish-native", "scripts/run" })
            {
                var target = Path.Combine(_sources.Path, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.Combine(Repository.Root, file), target);
            }

            CopySources(Path.Combine(Repository.Root, "src"), Path.Combine(_sources.Path, "src"));
            // Niced: the compiler takes every core for minutes while other tests measure.
            var info = new ProcessStartInfo("nice")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = _sources.Path,
            };
            foreach (var argument in new[] { "-n", "10", "scripts/publish-native", "artifacts/native", PublishOptions })
            {
                info.ArgumentList.Add(argument);
            }

            using var publish = Process.Start(info)!;
            var stdout = publish.StandardOutput.ReadToEndAsync();
            var stderr = publish.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(25));
            await publish.WaitForExitAsync(timeout.Token);
            var output = await stdout + await stderr;
            if (publish.ExitCode != 0 || !File.Exists(Executable))
            {
                throw new InvalidOperationException($"scripts/publish-native failed ({publish.ExitCode}):\n{output[Math.Max(0, output.Length - 6000)..]}");
            }
        }

        public ValueTask DisposeAsync()
        {
            _sources.Dispose();
            return ValueTask.CompletedTask;
        }

        private static void CopySources(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (var file in Directory.EnumerateFiles(from))
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }

            foreach (var directory in Directory.EnumerateDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
            {
                CopySources(directory, Path.Combine(to, Path.GetFileName(directory)));
            }
        }
    }
}
