using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Hosting;

/// <summary>
/// The real daemon with the fake NVML as its Probes:Gpu:LibraryPath (scripted through
/// FAKE_NVML_SCRIPT, read by the fake at nvmlInit_v2): GPU metrics on /metrics in base units,
/// and a missing library survived.
/// </summary>
public sealed partial class GpuProbeProcessTests : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    // Ticks every 200 ms and NVML retried after 1 s (the shortest back-off allowed), so a few
    // seconds show whether a fault is logged once or once per tick.
    private static readonly string[] s_fastTicks = ["--set", "Probes:Interval=00:00:00.200", "--set", "Probes:Gpu:RetryInitial=00:00:01", "--set", "Probes:Gpu:RetryMax=00:00:01"];
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    private Dictionary<string, string> Script(string text) => new() { ["FAKE_NVML_SCRIPT"] = _state.File("fake-nvml.script", text) };

    [Fact]
    public async Task Metrics_FakeTwoGpus_ValuesInBaseUnitsTwoLabelSetsUnsupportedOmitted()
    {
        // GPU 1: no power reading and no energy counter (energy from power integration, which needs power: absent).
        var environment = Script("""
            count 2
            set 0 power 281250
            set 0 energy 98765432
            set 0 clock_sm 1410
            set 0 util_gpu 64
            set 0 reasons 4
            status 1 power 3
            status 1 energy 3
            xid 1 79
            """);
        await using var daemon = DaemonProcess.Start(_state.Path, ["--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}"], environment);

        var metrics = await WaitForSeriesAsync(daemon, "benchdaemon_gpu_energy_joules_total{gpu=\"0\"");

        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_probe_up", string.Empty));
        Assert.Equal(281.25, Value(metrics, "benchdaemon_gpu_power_watts", Gpu(0)));
        Assert.Equal(98_765.432, Value(metrics, "benchdaemon_gpu_energy_joules_total", Gpu(0)), 6);
        Assert.Equal(1.41e9, Value(metrics, "benchdaemon_gpu_clock_hertz", Gpu(0, ",clock=\"sm\"")));
        Assert.Equal(1.98e9, Value(metrics, "benchdaemon_gpu_clock_max_hertz", Gpu(0, ",clock=\"sm\"")));
        Assert.Equal(0.64, Value(metrics, "benchdaemon_gpu_utilization_ratio", Gpu(0)));
        Assert.Equal(700, Value(metrics, "benchdaemon_gpu_power_limit_watts", Gpu(0)));
        Assert.Equal(41, Value(metrics, "benchdaemon_gpu_temperature_celsius", Gpu(0)));
        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_clock_event_active", Gpu(0, ",reason=\"sw_power_cap\"")));
        Assert.Equal(0, Value(metrics, "benchdaemon_gpu_clock_event_active", Gpu(0, ",reason=\"hw_slowdown\"")));
        Assert.Equal(2.5, Value(metrics, "benchdaemon_gpu_clock_event_seconds_total", Gpu(0, ",reason=\"power\"")));
        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_xid_errors_total", Gpu(1, ",xid=\"79\"")));
        Assert.Contains(
            "benchdaemon_gpu_info{gpu=\"0\",uuid=\"GPU-fake-0000\",name=\"Fake H100 80GB HBM3\",pci_bus_id=\"00000000:1A:00.0\",driver_version=\"580.95.05\",cuda_driver_version=\"13.0\",compute_capability=\"9.0\",energy_source=\"counter\"} 1",
            metrics, StringComparison.Ordinal);
        Assert.Contains("energy_source=\"power_integration\"} 1", metrics, StringComparison.Ordinal);
        Assert.Equal(2, InfoLines().Count(metrics));
        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_up", Gpu(1)));
        // NOT_SUPPORTED: no power series for GPU 1, and no per-process series by default.
        Assert.DoesNotContain("benchdaemon_gpu_power_watts{gpu=\"1\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("benchdaemon_gpu_process_memory_used_bytes{", metrics, StringComparison.Ordinal);
        Assert.Contains("not supported", daemon.StandardOutput, StringComparison.Ordinal);

        var (exitCode, output) = await Promtool.RunAsync(metrics, "check", "metrics");
        Assert.True(exitCode == 0, $"promtool exit {exitCode}: {output}");
        Assert.Equal(string.Empty, output.Trim());
    }

    [Fact]
    public async Task Metrics_GpmNvlinkAndMigOnGpu0Only_RatiosRatesCountersWithLabelsGpu1OmittedOneLogLine()
    {
        // nvmlGpmMetricId_t: 2 SM, 3 occupancy, 5 any tensor, 7 HMMA, 10 DRAM, 13 FP16, 20/21 PCIe, 60/61 NVLink (MiB/s).
        var environment = Script("""
            count 2
            set 0 gpm_supported 1
            gpm 0 2 91
            gpm 0 3 25.5
            gpm 0 5 70
            gpm 0 7 68
            gpm 0 10 35
            gpm 0 13 4
            gpm 0 20 100
            gpm 0 21 50
            gpm 0 60 1024
            gpm 0 61 512
            set 0 nvlinks 2
            set 0 nvlink_down 2
            set 0 nvlink_tx 10
            set 0 nvlink_rx 20
            set 0 nvlink_replay 3
            mig 0 1 0 1g.10gb 1073741824 10737418240
            mig 0 2 0 1c.2g.20gb 3221225472 21474836480
            mig 0 2 1 1c.2g.20gb 3221225472 21474836480
            """);
        await using var daemon = DaemonProcess.Start(_state.Path, ["--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}", "--set", "Probes:Gpu:GpmInterval=00:00:00.200"], environment);

        await WaitForSeriesAsync(daemon, "benchdaemon_gpu_sm_active_ratio{gpu=\"0\"");
        await WaitForSeriesAsync(daemon, "benchdaemon_gpu_nvlink_link_active{gpu=\"0\"");
        var metrics = await WaitForSeriesAsync(daemon, "benchdaemon_gpu_mig_sm_active_ratio{gpu=\"0\"");

        Assert.Equal(0.91, Value(metrics, "benchdaemon_gpu_sm_active_ratio", Gpu(0)));
        Assert.Equal(0.255, Value(metrics, "benchdaemon_gpu_sm_occupancy_ratio", Gpu(0)));
        Assert.Equal(0.7, Value(metrics, "benchdaemon_gpu_tensor_active_ratio", Gpu(0)));
        Assert.Equal(0.68, Value(metrics, "benchdaemon_gpu_tensor_pipe_active_ratio", Gpu(0, ",pipe=\"hmma\"")));
        Assert.Equal(0, Value(metrics, "benchdaemon_gpu_tensor_pipe_active_ratio", Gpu(0, ",pipe=\"imma\"")));
        Assert.Equal(0.04, Value(metrics, "benchdaemon_gpu_pipe_active_ratio", Gpu(0, ",pipe=\"fp16\"")));
        Assert.Equal(0.35, Value(metrics, "benchdaemon_gpu_dram_active_ratio", Gpu(0)));
        Assert.Equal(100 * 1_048_576, Value(metrics, "benchdaemon_gpu_pcie_traffic_bytes_per_second", Gpu(0, ",direction=\"transmit\"")));
        Assert.Equal(50 * 1_048_576, Value(metrics, "benchdaemon_gpu_pcie_traffic_bytes_per_second", Gpu(0, ",direction=\"receive\"")));
        Assert.Equal(1024 * 1_048_576, Value(metrics, "benchdaemon_gpu_nvlink_traffic_bytes_per_second", Gpu(0, ",direction=\"receive\"")));
        Assert.Equal(512 * 1_048_576, Value(metrics, "benchdaemon_gpu_nvlink_traffic_bytes_per_second", Gpu(0, ",direction=\"transmit\"")));
        // NVLink per link: state, data counters (KiB → bytes), the error counters the links keep.
        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_nvlink_link_active", Gpu(0, ",link=\"0\"")));
        Assert.Equal(0, Value(metrics, "benchdaemon_gpu_nvlink_link_active", Gpu(0, ",link=\"1\"")));
        Assert.Equal(11 * 1024, Value(metrics, "benchdaemon_gpu_nvlink_data_bytes_total", Gpu(0, ",link=\"1\",direction=\"transmit\"")));
        Assert.Equal(20 * 1024, Value(metrics, "benchdaemon_gpu_nvlink_data_bytes_total", Gpu(0, ",link=\"0\",direction=\"receive\"")));
        Assert.Equal(4, Value(metrics, "benchdaemon_gpu_nvlink_errors_total", Gpu(0, ",link=\"1\",type=\"replay\"")));
        Assert.DoesNotContain("type=\"recovery\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("benchdaemon_gpu_nvlink_link_active{gpu=\"1\"", metrics, StringComparison.Ordinal);
        // MIG mode: one info series per compute instance; memory and GPM per GPU instance, labelled with its profile.
        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_mig_info", Gpu(0, ",gpu_instance=\"2\",compute_instance=\"1\",profile=\"1c.2g.20gb\",mig_uuid=\"MIG-fake-0000-2-1\"")));
        Assert.Equal(3_221_225_472, Value(metrics, "benchdaemon_gpu_mig_memory_used_bytes", Gpu(0, ",gpu_instance=\"2\",profile=\"2g.20gb\"")));
        Assert.Equal(10_737_418_240, Value(metrics, "benchdaemon_gpu_mig_memory_total_bytes", Gpu(0, ",gpu_instance=\"1\",profile=\"1g.10gb\"")));
        Assert.Equal(0.92, Value(metrics, "benchdaemon_gpu_mig_sm_active_ratio", Gpu(0, ",gpu_instance=\"1\",profile=\"1g.10gb\"")), 9);
        Assert.Equal(0.37, Value(metrics, "benchdaemon_gpu_mig_dram_active_ratio", Gpu(0, ",gpu_instance=\"2\",profile=\"2g.20gb\"")), 9);
        Assert.Equal(2, Regex.Count(metrics, "(?m)^benchdaemon_gpu_mig_memory_used_bytes\\{"));
        Assert.DoesNotContain("benchdaemon_gpu_mig_info{gpu=\"1\"", metrics, StringComparison.Ordinal);
        // GPU 1 has no GPM: no series, one log line, no probe error.
        Assert.DoesNotContain("benchdaemon_gpu_sm_active_ratio{gpu=\"1\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("benchdaemon_gpu_dram_active_ratio{gpu=\"1\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("benchdaemon_gpu_pipe_active_ratio{gpu=\"1\"", metrics, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(daemon.StandardOutput, "no GPM profiling metrics"));
        Assert.DoesNotContain("reason=\"not_supported\"", metrics, StringComparison.Ordinal);

        var (exitCode, output) = await Promtool.RunAsync(metrics, "check", "metrics");
        Assert.True(exitCode == 0, $"promtool exit {exitCode}: {output}");
        Assert.Equal(string.Empty, output.Trim());
    }

    [Fact]
    public async Task Metrics_ProcessMetrics_UtilisationEnergyContainerPodAndAnExitedProcessTakesItsSeries()
    {
        // A proc root holding the host's files the daemon reads and two GPU processes: one in a
        // Kubernetes pod (cgroup v1, cgroupfs driver), one on the host (cgroup v2).
        var proc = Directory.CreateDirectory(Path.Combine(_state.Path, "proc")).FullName;
        foreach (var entry in new[] { "stat", "meminfo", "loadavg", "pressure", "self" })
        {
            File.CreateSymbolicLink(Path.Combine(proc, entry), Path.Combine("/proc", entry));
        }

        const string Container = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";
        const string Pod = "0e2f8c1a-3b4d-4e5f-8a9b-1c2d3e4f5a6b";
        WriteProcess(proc, 4242, "python3", $"11:memory:/kubepods/burstable/pod{Pod}/{Container}\n0::/\n");
        WriteProcess(proc, 5151, "ollama", "0::/user.slice/user-1000.slice/session-3.scope\n");
        var alive = _state.File("pid-4242-alive", string.Empty);
        var environment = Script($"""
            set 0 energy_watts 400
            process 0 4242 2147483648
            process 0 5151 1073741824
            procutil 0 4242 75 10
            procutil 0 5151 25 5
            procfile 0 4242 {alive}
            """);
        await using var daemon = DaemonProcess.Start(_state.Path, [
            "--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}", "--set", "Probes:Gpu:ProcessMetrics=true",
            "--set", "Probes:Gpu:EnergyInterval=00:00:01", "--set", $"Probes:ProcRoot={proc}"], environment);

        const string Busy = "benchdaemon_gpu_process_energy_joules_total{gpu=\"0\",uuid=\"GPU-fake-0000\",pid=\"4242\",process=\"python3\"}";
        var metrics = await WaitForAsync(daemon, m => m.Contains(Busy, StringComparison.Ordinal) && Value(m, "benchdaemon_gpu_process_energy_joules_total", Gpu(0, ",pid=\"4242\",process=\"python3\"")) > 0, "an energy share for process 4242");

        Assert.Equal(0.75, Value(metrics, "benchdaemon_gpu_process_sm_utilization_ratio", Gpu(0, ",pid=\"4242\",process=\"python3\"")));
        Assert.Equal(0.25, Value(metrics, "benchdaemon_gpu_process_sm_utilization_ratio", Gpu(0, ",pid=\"5151\",process=\"ollama\"")));
        Assert.Equal(2_147_483_648, Value(metrics, "benchdaemon_gpu_process_memory_used_bytes", Gpu(0, ",pid=\"4242\",process=\"python3\"")));
        // Every energy tick splits the GPU's energy by the SM shares, 75 : 25, so the totals keep that ratio.
        var busy = Value(metrics, "benchdaemon_gpu_process_energy_joules_total", Gpu(0, ",pid=\"4242\",process=\"python3\""));
        var idle = Value(metrics, "benchdaemon_gpu_process_energy_joules_total", Gpu(0, ",pid=\"5151\",process=\"ollama\""));
        Assert.Equal(3.0, busy / idle, 6);
        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_process_info", Gpu(0, $",pid=\"4242\",process=\"python3\",container_id=\"{Container}\",pod_uid=\"{Pod}\"")));
        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_process_info", Gpu(0, ",pid=\"5151\",process=\"ollama\",container_id=\"\",pod_uid=\"\"")));
        var (exitCode, output) = await Promtool.RunAsync(metrics, "check", "metrics");
        Assert.True(exitCode == 0, $"promtool exit {exitCode}: {output}");

        // The process exits: every one of its series goes, the other process's stay.
        File.Delete(alive);
        var after = await WaitForAsync(daemon, m => !m.Contains("pid=\"4242\"", StringComparison.Ordinal), "the series of process 4242 to go");
        Assert.Contains("benchdaemon_gpu_process_sm_utilization_ratio{gpu=\"0\",uuid=\"GPU-fake-0000\",pid=\"5151\"", after, StringComparison.Ordinal);
    }

    private static void WriteProcess(string proc, int pid, string comm, string cgroup)
    {
        var directory = Directory.CreateDirectory(Path.Combine(proc, pid.ToString(CultureInfo.InvariantCulture))).FullName;
        File.WriteAllText(Path.Combine(directory, "comm"), comm + "\n");
        File.WriteAllText(Path.Combine(directory, "cgroup"), cgroup);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Metrics_DriverWithoutGpmNvlinkMigOrProcessUtilization_BaseSeriesStayNewOnesOmittedLoggedOnce()
    {
        // A library without the newer entry points, scripted as a GPU that would have them all.
        var environment = Script($"""
            set 0 gpm_supported 1
            gpm 0 2 90
            set 0 nvlinks 4
            mig 0 1 0 1g.10gb 1073741824 10737418240
            set 0 mig_mode 0
            process 0 {Environment.ProcessId} 1073741824
            procutil 0 {Environment.ProcessId} 50 5
            """);
        await using var daemon = DaemonProcess.Start(_state.Path, [
            "--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.OldDriverPath}", "--set", "Probes:Gpu:ProcessMetrics=true",
            "--set", "Probes:Gpu:EnergyInterval=00:00:01", "--set", "Probes:Gpu:GpmInterval=00:00:00.200", "--set", "Probes:Gpu:PcieInterval=00:00:01"], environment);

        var metrics = await WaitForAsync(daemon, m => Samples(m) >= 5 && m.Contains("benchdaemon_gpu_power_watts{", StringComparison.Ordinal), "five probe ticks with GPU series");

        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_probe_up", string.Empty));
        Assert.Equal(123.456, Value(metrics, "benchdaemon_gpu_power_watts", Gpu(0)));
        Assert.Contains($"benchdaemon_gpu_process_memory_used_bytes{{gpu=\"0\",uuid=\"GPU-fake-0000\",pid=\"{Environment.ProcessId}\",", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("benchdaemon_gpu_sm_active_ratio", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("benchdaemon_gpu_nvlink_", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("benchdaemon_gpu_mig_", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("benchdaemon_gpu_process_sm_utilization_ratio", metrics, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(daemon.StandardOutput, "no GPM profiling metrics (SM, tensor, DRAM activity): NVML_ERROR_FUNCTION_NOT_FOUND"));
        Assert.Equal(1, Occurrences(daemon.StandardOutput, "ProcessUtilization not supported (NVML_ERROR_FUNCTION_NOT_FOUND"));
        Assert.Contains("\"status\":\"Healthy\"", await daemon.WaitForAsync("/healthz", s_startTimeout), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_NvmlLibraryMissing_KeepsRunningWithProbeDownAndReasonLogged()
    {
        var missing = Path.Combine(_state.Path, "no-driver", "libnvidia-ml.so.1");
        await using var daemon = DaemonProcess.Start(_state.Path, ["--set", $"Probes:Gpu:LibraryPath={missing}", .. s_fastTicks]);

        var first = await daemon.WaitForAsync("/metrics", s_startTimeout);
        // Several ticks and at least one retry later (RetryInitial 1 s): still one line, still sampling.
        var metrics = await WaitForAsync(
            daemon,
            m => Value(m, "benchdaemon_gpu_probe_errors_total", "{reason=\"init_failed\"}") >= 2 && Samples(m) >= Samples(first) + 5,
            "a second initialisation attempt and five more ticks");

        Assert.Equal(0, Value(metrics, "benchdaemon_gpu_probe_up", string.Empty));
        Assert.DoesNotContain("benchdaemon_gpu_up{", metrics, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_host_cpu_seconds_total", metrics, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(daemon.StandardOutput, $"GPU probe down: NVML library {missing} does not exist"));
        Assert.Contains("\"status\":\"Healthy\"", await daemon.WaitForAsync("/healthz", s_startTimeout), StringComparison.Ordinal);
        var (exitCode, _) = await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(5));
        Assert.Equal(0, exitCode);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_NvmlInitFails_ProbeDownCountedLoggedOnceWhileHostSeriesContinue()
    {
        // NVML_ERROR_DRIVER_NOT_LOADED from nvmlInit_v2: the library is there, the kernel driver is not.
        await using var daemon = DaemonProcess.Start(_state.Path, ["--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}", .. s_fastTicks], Script("init 9\n"));

        var first = await daemon.WaitForAsync("/metrics", s_startTimeout);
        var metrics = await WaitForAsync(
            daemon,
            m => Value(m, "benchdaemon_gpu_probe_errors_total", "{reason=\"init_failed\"}") >= 2 && Samples(m) >= Samples(first) + 5,
            "a second initialisation attempt and five more ticks");

        Assert.Equal(0, Value(metrics, "benchdaemon_gpu_probe_up", string.Empty));
        Assert.DoesNotContain("benchdaemon_gpu_up{", metrics, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_host_memory_total_bytes ", metrics, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(daemon.StandardOutput, "GPU probe down: nvmlInit_v2 failed: NVML_ERROR_DRIVER_NOT_LOADED (the NVIDIA kernel driver is not running). GPU metrics are omitted (benchdaemon_gpu_probe_up 0); retrying in"));
        Assert.Contains("\"status\":\"Healthy\"", await daemon.WaitForAsync("/healthz", s_startTimeout), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_FieldNotSupported_OmittedForThatGpuOthersExportedLoggedOnce()
    {
        await using var daemon = DaemonProcess.Start(
            _state.Path, ["--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}", .. s_fastTicks], Script("count 2\nstatus 1 power 3\nstatus 1 temp 3\n"));

        // Ten ticks of 200 ms: a per-tick message would show ten times.
        var metrics = await WaitForAsync(daemon, m => Samples(m) >= 10, "ten probe ticks");

        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_probe_up", string.Empty));
        Assert.Equal(1, Value(metrics, "benchdaemon_gpu_up", Gpu(1)));
        Assert.DoesNotContain("benchdaemon_gpu_power_watts{gpu=\"1\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("benchdaemon_gpu_temperature_celsius{gpu=\"1\"", metrics, StringComparison.Ordinal);
        Assert.Equal(0.37, Value(metrics, "benchdaemon_gpu_utilization_ratio", Gpu(1)));
        Assert.Equal(123.456, Value(metrics, "benchdaemon_gpu_power_watts", Gpu(0)));
        Assert.Equal(41, Value(metrics, "benchdaemon_gpu_temperature_celsius", Gpu(0)));
        Assert.Equal(2, Value(metrics, "benchdaemon_gpu_probe_errors_total", "{reason=\"not_supported\"}"));
        Assert.Equal(1, Occurrences(daemon.StandardOutput, "GPU 1 (GPU-fake-0001): Power not supported (NVML_ERROR_NOT_SUPPORTED"));
        Assert.Equal(1, Occurrences(daemon.StandardOutput, "GPU 1 (GPU-fake-0001): Temperature not supported (NVML_ERROR_NOT_SUPPORTED"));
        Assert.Equal(2, Occurrences(daemon.StandardOutput, "not supported"));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Run_GpuLostMidRun_OnlyThatGpuDownThenEveryGpuLostAndBackAfterRetry()
    {
        var lost0 = Path.Combine(_state.Path, "gpu0-lost");
        var lost1 = Path.Combine(_state.Path, "gpu1-lost");
        await using var daemon = DaemonProcess.Start(
            _state.Path, ["--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}", .. s_fastTicks], Script($"count 2\nlostfile 0 {lost0}\nlostfile 1 {lost1}\n"));
        await WaitForAsync(daemon, m => m.Contains("benchdaemon_gpu_up" + Gpu(1) + " 1", StringComparison.Ordinal), "GPU 1 up");

        await File.WriteAllTextAsync(lost1, string.Empty, TestContext.Current.CancellationToken);
        var oneLost = await WaitForAsync(daemon, m => m.Contains("benchdaemon_gpu_up" + Gpu(1) + " 0", StringComparison.Ordinal), "GPU 1 lost");

        // GPU 1 keeps its up and info series only; GPU 0, the host and the probe keep going.
        Assert.Equal(1, Value(oneLost, "benchdaemon_gpu_probe_up", string.Empty));
        Assert.Equal(1, Value(oneLost, "benchdaemon_gpu_up", Gpu(0)));
        Assert.Equal(123.456, Value(oneLost, "benchdaemon_gpu_power_watts", Gpu(0)));
        Assert.DoesNotContain("benchdaemon_gpu_power_watts{gpu=\"1\"", oneLost, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_gpu_info{gpu=\"1\"", oneLost, StringComparison.Ordinal);
        Assert.Equal(1, Value(oneLost, "benchdaemon_gpu_probe_errors_total", "{reason=\"gpu_lost\"}"));
        var later = await WaitForAsync(daemon, m => Samples(m) >= Samples(oneLost) + 5, "five more ticks");
        Assert.Equal(0, Value(later, "benchdaemon_gpu_up", Gpu(1)));
        Assert.Equal(1, Occurrences(daemon.StandardOutput, "GPU 1 (GPU-fake-0001) is lost (NVML_ERROR_GPU_IS_LOST)"));

        // The last GPU lost: the probe goes down, shuts NVML down and re-initialises on its back-off;
        // with the GPUs back (a reset), both report again.
        await File.WriteAllTextAsync(lost0, string.Empty, TestContext.Current.CancellationToken);
        var allLost = await WaitForAsync(daemon, m => m.Contains("benchdaemon_gpu_probe_up 0", StringComparison.Ordinal), "the probe down");
        Assert.Contains("benchdaemon_host_cpu_seconds_total", allLost, StringComparison.Ordinal);
        Assert.Contains("GPU probe down: every GPU is lost (NVML_ERROR_GPU_IS_LOST)", daemon.StandardOutput, StringComparison.Ordinal);
        File.Delete(lost0);
        File.Delete(lost1);
        var back = await WaitForAsync(daemon, m => m.Contains("benchdaemon_gpu_probe_up 1", StringComparison.Ordinal) && m.Contains("benchdaemon_gpu_up" + Gpu(1) + " 1", StringComparison.Ordinal), "both GPUs back");
        Assert.Equal(123.456, Value(back, "benchdaemon_gpu_power_watts", Gpu(1)));
        Assert.Equal(2, Value(back, "benchdaemon_gpu_probe_errors_total", "{reason=\"gpu_lost\"}"));
        Assert.Equal(2, Occurrences(daemon.StandardOutput, "GPU probe up: NVML from"));
        Assert.Contains("\"status\":\"Healthy\"", await daemon.WaitForAsync("/healthz", s_startTimeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_JsonWithFake_ShowsEveryGpu()
    {
        var environment = Script("count 2\nset 1 temp 77\n");

        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(
            ["probe", "--json", "--window", "00:00:00.100", "--set", $"State:Directory={_state.Path}", "--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}"],
            environment);

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var gpu = json.RootElement.GetProperty("gpu");
        Assert.True(gpu.GetProperty("up").GetBoolean());
        var gpus = gpu.GetProperty("gpus");
        Assert.Equal(2, gpus.GetArrayLength());
        Assert.Equal("GPU-fake-0001", gpus[1].GetProperty("identity").GetProperty("uuid").GetString());
        Assert.Equal(77, gpus[1].GetProperty("temperatureCelsius").GetDouble());
        Assert.Equal(123.456, gpus[0].GetProperty("powerWatts").GetDouble());
        Assert.Equal("sw_power_cap", gpus[0].GetProperty("clockEventReasons")[0].GetString());
        Assert.Equal(16, gpus[0].GetProperty("pcie").GetProperty("linkWidth").GetInt32());
    }

    [Fact]
    public async Task Probe_GpuBenchmarkJson_ReportsCostsPerGpu()
    {
        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(
            ["probe", "--gpu-benchmark", "--iterations", "50", "--json", "--set", $"State:Directory={_state.Path}", "--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}"],
            Script("count 2\nset 0 gpm_supported 1\n"));

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var gpus = json.RootElement.GetProperty("gpus");
        Assert.Equal(2, gpus.GetArrayLength());
        var fast = gpus[0].GetProperty("costs").EnumerateArray().Single(c => c.GetProperty("operation").GetString() == "fast_sample");
        Assert.Equal(50, fast.GetProperty("iterations").GetInt32());
        Assert.True(fast.GetProperty("p99Microseconds").GetDouble() >= fast.GetProperty("medianMicroseconds").GetDouble());
        // GPM only where the GPU has it (GPU 0 scripted so).
        Assert.Contains(gpus[0].GetProperty("costs").EnumerateArray(), c => c.GetProperty("operation").GetString() == "gpm_sample");
        Assert.DoesNotContain(gpus[1].GetProperty("costs").EnumerateArray(), c => c.GetProperty("operation").GetString() == "gpm_sample");
    }

    [Fact]
    public async Task Probe_GpuBenchmarkWithoutNvml_ExitsNonZeroWithReason()
    {
        var (exitCode, stdout, _) = await DaemonProcess.RunAsync(
            ["probe", "--gpu-benchmark", "--iterations", "5", "--set", $"State:Directory={_state.Path}", "--set", "Probes:Gpu:LibraryPath=/nonexistent/libnvidia-ml.so.1"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("GPU probe down: NVML library /nonexistent/libnvidia-ml.so.1 does not exist", stdout, StringComparison.Ordinal);
    }

    private static string Gpu(int index, string extra = "") => $"{{gpu=\"{index}\",uuid=\"GPU-fake-000{index}\"{extra}}}";

    private static async Task<string> WaitForSeriesAsync(DaemonProcess daemon, string series)
    {
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (true)
        {
            var metrics = await daemon.WaitForAsync("/metrics", s_startTimeout);
            if (metrics.Contains(series, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return metrics;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Scrapes until <paramref name="condition"/> holds; fails naming <paramref name="what"/> and the output after a generous deadline.</summary>
    private static Task<string> WaitForAsync(DaemonProcess daemon, Func<string, bool> condition, string what) =>
        Scrape.UntilAsync(daemon, condition, what, TimeSpan.FromSeconds(45));

    private static double Samples(string metrics) => Value(metrics, "benchdaemon_probe_samples_total", string.Empty);

    private static int Occurrences(string text, string value) => Regex.Count(text, Regex.Escape(value));

    private static double Value(string metrics, string name, string labels)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + labels + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no series {name}{labels} in:\n{metrics}");
        return double.Parse(line[(name.Length + labels.Length + 1)..], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^benchdaemon_gpu_info\\{", RegexOptions.Multiline)]
    private static partial Regex InfoLines();
}
