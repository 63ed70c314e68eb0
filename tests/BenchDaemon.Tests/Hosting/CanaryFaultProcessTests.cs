using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BenchDaemon.Tests.Cuda;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Tests.Hosting;

/// <summary>
/// Faults inside a canary run, injected into the real daemon: the GPU gone mid-run (fake CUDA
/// driver), an execution provider the bundled ONNX Runtime lacks, a broken ONNX Runtime
/// library, an allocation ONNX Runtime cannot make, and a call that outlives its budget. Each
/// test runs the faulty canary beside a healthy one and checks that the daemon keeps serving
/// and scheduling, counts the fault by reason, warns once however often it repeats, and keeps
/// the healthy canary's results and history.
/// </summary>
[Collection(SerialTestGroup.Name)]
public sealed partial class CanaryFaultProcessTests : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);
    private const string Quick = """{ "MinIterations": 20, "MinDuration": "00:00:00", "WarmupMaxIterations": 10, "WarmupMaxDuration": "00:00:00.200", "Budget": "00:00:20" }""";
    private const string StaysScheduled = "It stays scheduled and is tried again at every firing";

    private readonly TempDirectory _temp = new();
    private readonly List<string> _cleanup = [];

    public void Dispose()
    {
        _temp.Dispose();
        foreach (var directory in _cleanup.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_CudaDeviceUnavailableMidRun_FailsWithTheDriverErrorAndTheNextRunsMeasure()
    {
        // The 9th cuEventSynchronize of the process answers CUDA_ERROR_DEVICE_UNAVAILABLE: the
        // first run dies mid-measurement, later runs find the device again.
        var config = Config($$"""
            { "Name": "d2d", "Model": "cuda:memcpy", "Size": 1, "Interval": "00:00:01", "Measure": {{Quick}} },
            {{Mlp("cpu")}}
            """);
        var environment = new Dictionary<string, string>
        {
            ["FAKE_CUDA_SYNC_FAIL_AT"] = "9",
            ["FAKE_CUDA_SYNC_FAIL_CODE"] = "46",
            ["CUDA_HOME"] = FakeCudaLibraries.Empty,
        };
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config, "--set", $"Cuda:LibraryDirectory={FakeCudaLibraries.Full}"], environment);

        var metrics = await WaitForAsync(daemon, m => Runs(m, "d2d", "failed", "cuda_error") == 1 && Measured(m, "d2d") >= 2 && Measured(m, "cpu") >= 2);

        Assert.Equal(1, Occurrences(daemon.StandardOutput, $"Canary d2d failed (cuda_error): cuEventSynchronize: CUDA_ERROR_DEVICE_UNAVAILABLE. {StaysScheduled}"));
        Assert.Contains("Canary d2d measures again (it was cuda_error).", daemon.StandardOutput, StringComparison.Ordinal);
        Assert.Matches("(?m)^benchdaemon_canary_bandwidth_bytes_per_second\\{canary=\"d2d\",[^}]*direction=\"device_to_device\"\\} [0-9.e+]+$", metrics);
        await AssertHealthyAndHistoryKeptAsync(daemon, metrics, failed: 1);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_CudaProviderOnAHostWithoutCuda_SkippedNamingTheMissingLibraryWhileCpuCanaryRuns()
    {
        Assert.SkipWhen(HostLibraries.HasCuda13, "needs a host without the CUDA 13 stack; this one has it, and the canary would run");

        // The GPU package has the CUDA provider compiled in; this host has no CUDA 13 libraries.
        var config = Config($"{Mlp("on-cuda", provider: "CUDA")},\n{Mlp("cpu")}");
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config], new Dictionary<string, string> { ["CUDA_HOME"] = _temp.Path });

        // No driver on a GPU-less host (driver_unavailable), or a driver without CUDA 13 (library_unavailable).
        static double Skipped(string m) => Runs(m, "on-cuda", "skipped", "library_unavailable") + Runs(m, "on-cuda", "skipped", "driver_unavailable");
        var metrics = await WaitForAsync(daemon, m => Skipped(m) >= 3 && Measured(m, "cpu") >= 2);

        Assert.Equal(1, Regex.Count(daemon.StandardOutput, @"Canary on-cuda skipped \((library|driver)_unavailable\): lib[a-z]+\.so\.\d+ \([^)]*\)[^;]* not found; searched: "));
        Assert.DoesNotContain("not in this ONNX Runtime build", daemon.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(daemon.StandardOutput, StaysScheduled));
        Assert.Matches("(?m)^benchdaemon_provider_usable\\{provider=\"CUDAExecutionProvider\",device=\"0\"\\} 0$", metrics);
        Assert.Matches("(?m)^benchdaemon_provider_usability_info\\{provider=\"CUDAExecutionProvider\",device=\"0\",reason_code=\"(library|driver)_unavailable\",reason=\"[^\"]+\"\\} 1$", metrics);
        await AssertHealthyAndHistoryKeptAsync(daemon, metrics, failed: 0);
    }

    public static TheoryData<string> BrokenRuntimes => ["not-elf", "no-ort-symbols", "bundled-not-elf", "bundled-missing"];

    [Theory]
    [MemberData(nameof(BrokenRuntimes))]
    [Trait("Category", "Fault")]
    public async Task Run_OnnxRuntimeLibraryBroken_CanariesFailAsRuntimeUnavailableWhileProbesRun(string kind)
    {
        // A wrong or damaged install: OnnxRuntime:LibraryPath names a file that is not a shared
        // library, or a shared library without ONNX Runtime's entry point (OrtGetApiBase); or the
        // bundled runtimes/linux-x64/native/libonnxruntime.so is replaced by a non-ELF file or gone.
        string[] arguments = [];
        string? dll = null;
        switch (kind)
        {
            case "not-elf":
                arguments = ["--set", $"OnnxRuntime:LibraryPath={_temp.File("libonnxruntime.so", "this is not an ELF file\n")}"];
                break;
            case "no-ort-symbols":
                arguments = ["--set", $"OnnxRuntime:LibraryPath={FakeNvmlLibrary.Path}"];
                break;
            default:
                dll = Path.Combine(BuildOutputWithBrokenOnnxRuntime(replace: kind == "bundled-not-elf"), "benchdaemon.dll");
                break;
        }

        var config = Config(Mlp("cpu"));
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config, .. arguments], dllPath: dll);

        var metrics = await WaitForAsync(daemon, m => Runs(m, "cpu", "failed", "runtime_unavailable") >= 2);

        Assert.Contains("onnxruntime_version=\"unavailable\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_host_cpu_seconds_total{mode=\"user\"}", metrics, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(daemon.StandardOutput, "Canary cpu failed (runtime_unavailable): ONNX Runtime native library unavailable: "));
        Assert.Equal(1, Occurrences(daemon.StandardOutput, StaysScheduled));
        var health = await daemon.WaitForAsync("/healthz", s_deadline);
        Assert.Contains("\"status\":\"Healthy\"", health, StringComparison.Ordinal);
        // The probes keep sampling and every failed run reaches the history.
        await WaitForAsync(daemon, m => Value(m, "benchdaemon_probe_samples_total", string.Empty) > Value(metrics, "benchdaemon_probe_samples_total", string.Empty)
            && Value(m, "benchdaemon_history_runs_total", "{status=\"failed\"}", orZero: true) >= Runs(metrics, "cpu", "failed", "runtime_unavailable"));
        Assert.False(daemon.HasExited);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_OnnxRuntimeCannotAllocate_FailsAsOutOfMemoryAndTheOtherCanaryKeepsMeasuring()
    {
        // ConstantOfShape to 2^20 × 2^20 floats: a 4 TiB tensor no allocator can give.
        var oom = Path.Combine(_temp.Path, "oom.onnx");
        File.WriteAllBytes(oom, new OnnxModelBuilder("oom")
            .Input("x", OnnxElementType.Float, "batch", 1)
            .Output("big", OnnxElementType.Float, "rows", "cols")
            .Initializer("shape", [2], [1L << 20, 1L << 20])
            .Node("ConstantOfShape", ["shape"], ["big"])
            .ToBytes());
        var config = Config($$"""
            { "Name": "oom", "Model": "{{oom}}", "Interval": "00:00:01", "Threads": 1, "Measure": {{Quick}} },
            {{Mlp("cpu")}}
            """);
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config]);

        var metrics = await WaitForAsync(daemon, m => Runs(m, "oom", "failed", "out_of_memory") >= 2 && Measured(m, "cpu") >= 3);

        Assert.Equal(1, Occurrences(daemon.StandardOutput, "Canary oom failed (out_of_memory): ONNX Runtime: "));
        // The failed allocation was never made: the daemon's memory stays that of a small process.
        Assert.InRange(Value(metrics, "process_resident_memory_bytes", string.Empty), 1, 2.0 * 1024 * 1024 * 1024);
        await AssertHealthyAndHistoryKeptAsync(daemon, metrics, failed: Runs(metrics, "oom", "failed", "out_of_memory"));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_CallOutlivesItsBudget_TerminatedCountedAsTimeoutAndTheOtherCanaryKeepsRunning()
    {
        // 2000 chained MatMul+Tanh layers at batch 1024: one call takes far longer than the 150 ms
        // budget. ONNX Runtime's terminate flag, raised at budget + grace (1 s), stops it between
        // two nodes; the lane is free again for the healthy canary.
        var slow = Path.Combine(_temp.Path, "slow.onnx");
        File.WriteAllBytes(slow, TinyModels.Slow(2000));
        var config = Config($$"""
            { "Name": "hang", "Model": "{{slow}}", "Interval": "00:00:01", "Threads": 1, "BatchSizes": [1024],
              "Measure": { "MinIterations": 1, "MinDuration": "00:00:00", "Budget": "00:00:00.150" } },
            {{Mlp("cpu")}}
            """);
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config]);

        var metrics = await WaitForAsync(daemon, m => Runs(m, "hang", "failed", "timeout") >= 2 && Measured(m, "cpu") >= 3);

        Assert.Equal(1, Occurrences(daemon.StandardOutput, "Canary hang failed (timeout): exceeded its time budget of 00:00:00.1500000 (a call did not finish; ONNX Runtime terminated it)."));
        await AssertHealthyAndHistoryKeptAsync(daemon, metrics, failed: Runs(metrics, "hang", "failed", "timeout"));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_NativeCodeCrashesTheWorker_DaemonServesCountsWorkerCrashedAndTheOtherCanaryMeasures()
    {
        // A custom operator that writes through a null pointer: SIGSEGV inside ONNX Runtime's
        // call, as a provider or driver bug would. Only the canary's worker dies.
        var crash = Workers.FaultOps.Model(_temp.Path, "Crash");
        var config = Config($$"""
            { "Name": "crash", "Model": "{{crash}}", "CustomOpLibraries": ["{{Workers.FaultOps.Library}}"], "Interval": "00:00:01", "Threads": 1, "Measure": {{Quick}} },
            {{Mlp("cpu")}}
            """);
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config]);

        var metrics = await WaitForAsync(daemon, m => Runs(m, "crash", "failed", "worker_crashed") >= 2 && Measured(m, "cpu") >= 2);

        Assert.Equal(1, Occurrences(daemon.StandardOutput, "Canary crash failed (worker_crashed): worker crashed during the run: the worker was killed by signal SIGSEGV (11); last log line: Canary crash batch 1: measuring"));
        Assert.True(Value(metrics, "benchdaemon_worker_exits_total", "{lane=\"cpu\",reason=\"crashed\"}") >= 2);
        // ONNX Runtime ran in the workers only.
        Assert.DoesNotContain("libonnxruntime", await File.ReadAllTextAsync($"/proc/{daemon.Pid}/maps", TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await AssertHealthyAndHistoryKeptAsync(daemon, metrics, failed: Runs(metrics, "crash", "failed", "worker_crashed"));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Stop_WhileACanaryHangsInNativeCode_TheDaemonStopsAndLeavesNoWorker()
    {
        var hang = Workers.FaultOps.Model(_temp.Path, "Hang");
        var config = Config($$"""
            { "Name": "hang", "Model": "{{hang}}", "CustomOpLibraries": ["{{Workers.FaultOps.Library}}"], "Interval": "00:00:01", "Threads": 1,
              "Measure": { "MinIterations": 1, "MinDuration": "00:00:00", "Budget": "00:05:00" } }
            """);
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config]);
        await WaitForAsync(daemon, m => Value(m, "benchdaemon_workers", "{lane=\"cpu\"}", orZero: true) == 1);
        var worker = Assert.Single(Workers.WorkerProcesses.Of(daemon.Pid));
        await Workers.FaultOps.WaitUntilHangingAsync(worker, TimeSpan.FromSeconds(60));

        var (exitCode, elapsed) = await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(30));

        Assert.Equal(0, exitCode);
        Assert.InRange(elapsed.TotalSeconds, 0, 15);
        Assert.False(Workers.WorkerProcesses.Alive(worker));
    }

    /// <summary>
    /// The daemon's build output (hard links: no copy of its 700 MB, so on the same file system, beside it)
    /// with the bundled libonnxruntime.so replaced by a text file, or removed.
    /// </summary>
    private string BuildOutputWithBrokenOnnxRuntime(bool replace)
    {
        var output = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var copy = Path.Combine(Path.GetDirectoryName(output)!, "broken-ort-" + Guid.NewGuid().ToString("N"));
        _cleanup.Add(copy);
        using (var cp = Process.Start("cp", ["-al", output, copy]))
        {
            cp.WaitForExit();
            Assert.Equal(0, cp.ExitCode);
        }

        var library = Path.Combine(copy, "runtimes", "linux-x64", "native", "libonnxruntime.so");
        Assert.True(File.Exists(library), $"no bundled {library}");
        File.Delete(library); // unlinks the copy's hard link only
        if (replace)
        {
            File.WriteAllText(library, "this is not an ELF file\n");
        }

        return copy;
    }

    /// <summary>The daemon answers /healthz, the healthy canary keeps measuring, and every run is in the history.</summary>
    private static async Task AssertHealthyAndHistoryKeptAsync(DaemonProcess daemon, string metrics, double failed)
    {
        var health = await daemon.WaitForAsync("/healthz", s_deadline);
        Assert.Contains("\"status\":\"Healthy\"", health, StringComparison.Ordinal);
        var measured = Measured(metrics, "cpu");
        var later = await WaitForAsync(daemon, m => Measured(m, "cpu") > measured);
        Assert.Matches("(?m)^benchdaemon_canary_last_latency_seconds\\{canary=\"cpu\",[^}]*stat=\"p50\"\\} [0-9.e+-]+$", later);
        Assert.True(Value(later, "benchdaemon_history_runs_total", "{status=\"ok\"}", orZero: true) + Value(later, "benchdaemon_history_runs_total", "{status=\"unstable\"}", orZero: true) >= measured);
        if (failed > 0)
        {
            Assert.True(Value(later, "benchdaemon_history_runs_total", "{status=\"failed\"}") >= failed);
        }

        Assert.DoesNotContain("benchdaemon_history_write_errors_total 1", later, StringComparison.Ordinal);
        Assert.False(daemon.HasExited);
    }

    private string Mlp(string name, string provider = "CPU")
    {
        var model = Path.Combine(_temp.Path, "mlp.onnx");
        if (!File.Exists(model))
        {
            File.WriteAllBytes(model, TinyModels.Mlp());
        }

        return $$"""{ "Name": "{{name}}", "Model": "{{model}}", "Provider": "{{provider}}", "Interval": "00:00:01", "Threads": 1, "Measure": {{Quick}} }""";
    }

    // Guards off: the test machine is busy and the duty budget would (rightly) hold a 1 s schedule back.
    private string Config(string canaries) => _temp.File($"config-{Guid.NewGuid():N}.json", $$"""
        { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1 }, "Canaries": [ {{canaries}} ] }
        """);

    private static Task<string> WaitForAsync(DaemonProcess daemon, Func<string, bool> condition) =>
        Scrape.UntilAsync(daemon, condition, "condition", s_deadline);

    private static double Runs(string metrics, string canary, string status, string reason)
    {
        var match = Regex.Match(metrics, $"(?m)^benchdaemon_canary_runs_total\\{{canary=\"{Regex.Escape(canary)}\",status=\"{status}\",reason=\"{reason}\"\\}} (?<v>[0-9.e+]+)$");
        return match.Success ? double.Parse(match.Groups["v"].Value, CultureInfo.InvariantCulture) : 0;
    }

    // Runs that measured: ok, or unstable (a spread or budget verdict on a busy test machine).
    private static double Measured(string metrics, string canary) =>
        Regex.Matches(metrics, $"(?m)^benchdaemon_canary_runs_total\\{{canary=\"{Regex.Escape(canary)}\",status=\"(ok|unstable)\",[^}}]*\\}} (?<v>[0-9.e+]+)$")
            .Sum(m => double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture));

    private static double Value(string metrics, string name, string labels, bool orZero = false)
    {
        var match = Regex.Match(metrics, $"(?m)^{Regex.Escape(name + labels)} (?<v>[0-9.e+E-]+)$");
        Assert.True(match.Success || orZero, $"no series {name}{labels} in:\n{metrics}");
        return match.Success ? double.Parse(match.Groups["v"].Value, CultureInfo.InvariantCulture) : 0;
    }

    private static int Occurrences(string text, string value) => Regex.Count(text, Regex.Escape(value));
}
