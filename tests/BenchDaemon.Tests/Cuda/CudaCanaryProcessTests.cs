using System.Text.Json;
using System.Text.RegularExpressions;
using BenchDaemon.Cli;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Cuda;

/// <summary>
/// The CUDA micro-canaries in a child <c>benchdaemon</c> against the fake driver and cuBLASLt
/// (a process binds its native libraries once, so every scenario gets its own process). The
/// fakes' work takes a scripted time on a virtual GPU clock, so the reported TFLOP/s and GB/s
/// are exact.
/// </summary>
public sealed partial class CudaCanaryProcessTests : IDisposable
{
    // 500 calls: enough for an `ok` run, whose p99 needs 473 (docs/canaries.md).
    private const string Quick = """{ "MinIterations": 500, "MinDuration": "00:00:00", "WarmupMaxIterations": 10, "Budget": "00:00:20" }""";
    private const double H100Bf16 = 989.5e12;
    private const double H100Int8 = 1979e12;
    private const double H100Memory = 3350e9;
    private const double MiB = 1 << 20;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Once_Json_GemmMemcpyPcie_ReportExactThroughputBandwidthAndPeakRatio_AndReleaseEverything()
    {
        var config = Config($$"""
            { "Canaries": [
              { "Name": "bf16", "Model": "cuda:gemm", "Precision": "BF16", "Size": 1024, "Measure": {{Quick}} },
              { "Name": "int8", "Model": "cuda:gemm", "Precision": "INT8", "Size": 2048, "Measure": {{Quick}} },
              { "Name": "d2d", "Model": "cuda:memcpy", "Size": 4, "Measure": {{Quick}} },
              { "Name": "pcie", "Model": "cuda:pcie", "Size": 2, "Measure": {{Quick}} }
            ] }
            """);

        var (exitCode, stdout, stderr) = await OnceAsync(config, FakeCudaLibraries.Full, new()
        {
            ["FAKE_CUBLAS_MATMUL_US"] = "2000",
            ["FAKE_CUDA_D2D_US"] = "500",
            ["FAKE_CUDA_H2D_US"] = "250",
            ["FAKE_CUDA_D2H_US"] = "400",
        });

        Assert.True(exitCode == 0, stderr + stdout);
        var results = Results(stdout);
        Assert.All(results.Values, r => Assert.Equal("ok", r.GetProperty("status").GetString()));

        var bf16 = results["bf16"];
        Assert.Equal("NVIDIA H100 80GB HBM3", bf16.GetProperty("deviceName").GetString());
        Assert.Equal("CUDA", bf16.GetProperty("provider").GetString());
        Assert.Equal("cuda:gemm", bf16.GetProperty("model").GetString());
        Assert.Equal(1024, bf16.GetProperty("size").GetInt32());
        Assert.StartsWith("cuBLASLt 13.1.0", bf16.GetProperty("effectiveProvider").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.002, bf16.GetProperty("latencySeconds").GetProperty("p50").GetDouble(), 9);
        var flops = 2.0 * 1024 * 1024 * 1024 / 0.002;
        AssertClose(flops, bf16.GetProperty("throughputFlopsPerSecond").GetDouble());
        AssertClose(flops / H100Bf16, bf16.GetProperty("peakRatio").GetDouble());
        Assert.Equal(JsonValueKind.Null, bf16.GetProperty("bandwidthBytesPerSecond").ValueKind);

        var int8 = results["int8"];
        var ops = 2.0 * 2048 * 2048 * 2048 / 0.002;
        AssertClose(ops, int8.GetProperty("throughputFlopsPerSecond").GetDouble());
        AssertClose(ops / H100Int8, int8.GetProperty("peakRatio").GetDouble());

        var d2d = results["d2d"];
        var copy = 2 * 4 * MiB / 0.0005;
        AssertClose(copy, d2d.GetProperty("bandwidthBytesPerSecond").GetProperty("device_to_device").GetDouble());
        AssertClose(copy / H100Memory, d2d.GetProperty("peakRatio").GetDouble());
        Assert.Equal(JsonValueKind.Null, d2d.GetProperty("throughputFlopsPerSecond").ValueKind);

        var pcie = results["pcie"];
        var bandwidth = pcie.GetProperty("bandwidthBytesPerSecond");
        AssertClose(2 * MiB / 0.00025, bandwidth.GetProperty("host_to_device").GetDouble());
        AssertClose(2 * MiB / 0.0004, bandwidth.GetProperty("device_to_host").GetDouble());
        Assert.Equal(0.00025, pcie.GetProperty("stageSeconds").GetProperty("host_to_device").GetDouble(), 9);
        Assert.Equal(0.00065, pcie.GetProperty("latencySeconds").GetProperty("p50").GetDouble(), 9);
        Assert.True(pcie.TryGetProperty("pcieLink", out _));

        AssertEverythingReleased(expectedRuns: 4);
    }

    [Fact]
    public async Task Once_Json_GemmOnAGpmGpu_WindowReportsSmTensorAndDramActivity()
    {
        // The worker's own GPU probe takes a GPM sample at each edge of the measured window (over 100 ms here).
        var config = Config("""
            { "Canaries": [
              { "Name": "bf16", "Model": "cuda:gemm", "Precision": "BF16", "Size": 1024, "Measure": { "MinIterations": 20, "MinDuration": "00:00:00.300", "WarmupMinIterations": 2, "WarmupMaxIterations": 5, "Budget": "00:00:10" } }
            ] }
            """);
        var script = _temp.File("fake-nvml.script", """
            set 0 gpm_supported 1
            gpm 0 2 93
            gpm 0 5 81
            gpm 0 7 80
            gpm 0 10 22
            """);
        var environment = new Dictionary<string, string>
        {
            ["FAKE_CUBLAS_MATMUL_US"] = "2000",
            ["FAKE_NVML_SCRIPT"] = script,
            ["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID",
            ["FAKE_CUDA_LOG"] = LogPath,
            ["CUDA_HOME"] = FakeCudaLibraries.Empty,
        };
        string[] args =
        [
            "once", "--json", "--config", config,
            "--set", $"State:Directory={_temp.Path}",
            "--set", "Defaults:Canaries=false",
            "--set", $"Cuda:LibraryDirectory={FakeCudaLibraries.Full}",
            "--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}",
        ];

        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(args, environment, TimeSpan.FromSeconds(120));

        Assert.True(exitCode == 0, stderr + stdout);
        var bf16 = Results(stdout)["bf16"];
        Assert.Equal(0.93, bf16.GetProperty("gpuSmActive").GetProperty("gpu:0").GetDouble(), 9);
        Assert.Equal(0.81, bf16.GetProperty("gpuTensorActive").GetProperty("gpu:0").GetDouble(), 9);
        Assert.Equal(0.80, bf16.GetProperty("gpuHmmaTensorActive").GetProperty("gpu:0").GetDouble(), 9);
        Assert.Equal(0.22, bf16.GetProperty("gpuDramActive").GetProperty("gpu:0").GetDouble(), 9);
    }

    [Fact]
    public async Task Once_Table_PrintsTflopsGbsAndPeakShare()
    {
        var config = Config($$"""
            { "Canaries": [
              { "Name": "bf16", "Model": "cuda:gemm", "Precision": "BF16", "Size": 4096, "Measure": {{Quick}} },
              { "Name": "d2d", "Model": "cuda:memcpy", "Size": 1024, "Measure": {{Quick}} }
            ] }
            """);

        // 2·4096³ in 1 ms = 137.4 TFLOP/s = 13.9 % of 989.5; 2 GiB in 1 ms = 2147.5 GB/s = 64.1 % of 3350.
        var (exitCode, stdout, stderr) = await OnceAsync(config, FakeCudaLibraries.Full, new() { ["FAKE_CUBLAS_MATMUL_US"] = "1000", ["FAKE_CUDA_D2D_US"] = "1000" }, json: false);

        Assert.True(exitCode == 0, stderr + stdout);
        Assert.Contains("GPU micro-canaries", stdout, StringComparison.Ordinal);
        Assert.Matches(@"bf16 +│ NVIDIA H100 80GB HBM3 │ BF16 +│ 4096³ +│ ok +│ 137\.4 +│ - +│ 13\.9 %", stdout);
        Assert.Matches(@"d2d +│ NVIDIA H100 80GB HBM3 │ - +│ 1024 MiB │ ok +│ - +│ D2D 2147\.5 +│ 64\.1 %", stdout);
    }

    [Fact]
    public async Task Once_Fp8OnAmpere_SkippedAsPrecisionUnavailableWhileFp16Runs()
    {
        var config = Config($$"""
            { "Canaries": [
              { "Name": "fp8", "Model": "cuda:gemm", "Precision": "FP8", "Size": 1024, "Measure": {{Quick}} },
              { "Name": "fp16", "Model": "cuda:gemm", "Precision": "FP16", "Size": 1024, "Measure": {{Quick}} }
            ] }
            """);

        var (exitCode, stdout, stderr) = await OnceAsync(config, FakeCudaLibraries.Full, new() { ["FAKE_CUDA_CC"] = "80", ["FAKE_CUDA_NAME"] = "NVIDIA A100-SXM4-80GB" });

        Assert.True(exitCode == 0, stderr);
        var results = Results(stdout);
        Assert.Equal("skipped", results["fp8"].GetProperty("status").GetString());
        Assert.Equal("precision_unavailable", results["fp8"].GetProperty("reasonCode").GetString());
        Assert.Contains("compute capability 8.9", results["fp8"].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", results["fp16"].GetProperty("status").GetString());
        AssertClose(2.0 * 1024 * 1024 * 1024 / 0.001 / 312e12, results["fp16"].GetProperty("peakRatio").GetDouble());
    }

    [Fact]
    public async Task Once_NoCublasKernel_SkippedAsPrecisionUnavailable()
    {
        var config = Config($$"""{ "Canaries": [ { "Name": "int8", "Model": "cuda:gemm", "Precision": "INT8", "Size": 256, "Measure": {{Quick}} } ] }""");

        var (exitCode, stdout, stderr) = await OnceAsync(config, FakeCudaLibraries.Full, new() { ["FAKE_CUBLAS_HEURISTIC"] = "15" });

        Assert.True(exitCode == 0, stderr);
        var result = Assert.Single(Results(stdout).Values);
        Assert.Equal("skipped", result.GetProperty("status").GetString());
        Assert.Equal("precision_unavailable", result.GetProperty("reasonCode").GetString());
        AssertEverythingReleased(expectedRuns: 1);
    }

    [Fact]
    public async Task Once_CuInitNoDevice_EveryCanarySkippedWithTheErrorName()
    {
        var config = Config($$"""
            { "Canaries": [
              { "Name": "gemm", "Model": "cuda:gemm", "Measure": {{Quick}} },
              { "Name": "pcie", "Model": "cuda:pcie", "Measure": {{Quick}} }
            ] }
            """);

        var (exitCode, stdout, stderr) = await OnceAsync(config, FakeCudaLibraries.Full, new() { ["FAKE_CUDA_INIT"] = "100" });

        Assert.True(exitCode == 0, stderr);
        Assert.All(Results(stdout).Values, r =>
        {
            Assert.Equal("skipped", r.GetProperty("status").GetString());
            Assert.Equal("device_unavailable", r.GetProperty("reasonCode").GetString());
            Assert.Equal("cuInit: CUDA_ERROR_NO_DEVICE", r.GetProperty("reason").GetString());
        });
    }

    [Fact]
    public async Task Once_DeviceIndexBeyondTheVisibleOnes_Skipped()
    {
        var config = Config($$"""{ "Canaries": [ { "Name": "d2d", "Model": "cuda:memcpy", "ProviderOptions": { "device_id": "1" }, "Measure": {{Quick}} } ] }""");

        var (exitCode, stdout, stderr) = await OnceAsync(config, FakeCudaLibraries.Full, []);

        Assert.True(exitCode == 0, stderr);
        var result = Assert.Single(Results(stdout).Values);
        Assert.Equal("device_unavailable", result.GetProperty("reasonCode").GetString());
        Assert.Equal("CUDA device 1 requested; 1 visible", result.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Once_OutOfMemoryAtTheSecondAllocation_FailsNamingTheErrorAndReleasesTheRest()
    {
        var config = Config($$"""{ "Canaries": [ { "Name": "gemm", "Model": "cuda:gemm", "Precision": "FP32", "Size": 1024, "Measure": {{Quick}} } ] }""");

        var (exitCode, stdout, _) = await OnceAsync(config, FakeCudaLibraries.Full, new() { ["FAKE_CUDA_ALLOC_FAIL_AT"] = "2" });

        Assert.Equal(ExitCodes.CanaryFailed, exitCode);
        var result = Assert.Single(Results(stdout).Values);
        Assert.Equal("failed", result.GetProperty("status").GetString());
        Assert.Equal("cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY", result.GetProperty("reason").GetString());
        Assert.Equal("out_of_memory", result.GetProperty("reasonCode").GetString());
        AssertEverythingReleased(expectedRuns: 1);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Once_MatmulFailsMidRun_FailsWithTheCublasStatusAndReleasesEverything()
    {
        var config = Config($$"""{ "Canaries": [ { "Name": "gemm", "Model": "cuda:gemm", "Precision": "TF32", "Size": 1024, "Measure": {{Quick}} } ] }""");

        var (exitCode, stdout, _) = await OnceAsync(config, FakeCudaLibraries.Full, new() { ["FAKE_CUBLAS_FAIL_AT"] = "7" });

        Assert.Equal(ExitCodes.CanaryFailed, exitCode);
        var result = Assert.Single(Results(stdout).Values);
        Assert.Equal("cublasLtMatmul: CUBLAS_STATUS_EXECUTION_FAILED", result.GetProperty("reason").GetString());
        Assert.Equal("cuda_error", result.GetProperty("reasonCode").GetString());
        AssertEverythingReleased(expectedRuns: 1);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public async Task Once_IllegalAddressWhileCopying_FailsWithTheDriverErrorAndReleasesEverything()
    {
        var config = Config($$"""{ "Canaries": [ { "Name": "pcie", "Model": "cuda:pcie", "Size": 1, "Measure": {{Quick}} } ] }""");

        var (exitCode, stdout, _) = await OnceAsync(config, FakeCudaLibraries.Full, new() { ["FAKE_CUDA_SYNC_FAIL_AT"] = "9" });

        Assert.Equal(ExitCodes.CanaryFailed, exitCode);
        var result = Assert.Single(Results(stdout).Values);
        Assert.Equal("cuEventSynchronize: CUDA_ERROR_ILLEGAL_ADDRESS", result.GetProperty("reason").GetString());
        Assert.Equal("cuda_error", result.GetProperty("reasonCode").GetString());
        AssertEverythingReleased(expectedRuns: 1);
    }

    [Fact]
    public async Task Once_TooLittleFreeMemory_SkippedBeforeAllocating()
    {
        var config = Config($$"""{ "Canaries": [ { "Name": "gemm", "Model": "cuda:gemm", "Precision": "BF16", "Size": 8192, "Measure": {{Quick}} } ] }""");

        var (exitCode, stdout, stderr) = await OnceAsync(config, FakeCudaLibraries.Full, new() { ["FAKE_CUDA_FREE_MIB"] = "64" });

        Assert.True(exitCode == 0, stderr);
        var result = Assert.Single(Results(stdout).Values);
        Assert.Equal("skipped", result.GetProperty("status").GetString());
        Assert.Equal("out_of_memory", result.GetProperty("reasonCode").GetString());
        Assert.Contains("needs 0.41 GiB", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        AssertEverythingReleased(expectedRuns: 1);
    }

    [Fact]
    public async Task Once_NoCublasLt_GemmSkippedWhileCopiesStillRun()
    {
        // A machine with cuBLASLt on its library path finds it there, as it should.
        Assert.SkipWhen(HostLibraries.Has("libcublasLt.so.13") || HostLibraries.Has("libcublasLt.so.12"), "needs a host without cuBLASLt on the loader's path; this one has it");

        var config = Config($$"""
            { "Canaries": [
              { "Name": "gemm", "Model": "cuda:gemm", "Measure": {{Quick}} },
              { "Name": "d2d", "Model": "cuda:memcpy", "Size": 1, "Measure": {{Quick}} }
            ] }
            """);

        var (exitCode, stdout, stderr) = await OnceAsync(config, FakeCudaLibraries.DriverOnly, []);

        Assert.True(exitCode == 0, stderr);
        var results = Results(stdout);
        Assert.Equal("skipped", results["gemm"].GetProperty("status").GetString());
        Assert.Equal("library_unavailable", results["gemm"].GetProperty("reasonCode").GetString());
        Assert.Contains("libcublasLt.so.13", results["gemm"].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", results["d2d"].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Once_NoDriver_SkippedAsDriverUnavailable()
    {
        // A machine with an NVIDIA driver loads its real libcuda, as it should.
        Assert.SkipWhen(HostLibraries.Has("libcuda.so.1"), "needs a host without an NVIDIA driver (libcuda.so.1); this one has one");

        var config = Config($$"""{ "Canaries": [ { "Name": "d2d", "Model": "cuda:memcpy", "Measure": {{Quick}} } ] }""");

        var (exitCode, stdout, stderr) = await OnceAsync(config, FakeCudaLibraries.Empty, []);

        Assert.True(exitCode == 0, stderr);
        var result = Assert.Single(Results(stdout).Values);
        Assert.Equal("skipped", result.GetProperty("status").GetString());
        Assert.Equal("driver_unavailable", result.GetProperty("reasonCode").GetString());
        Assert.StartsWith("CUDA driver libcuda.so.1 not found", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ScheduledMicroCanaries_ExportFlopsBandwidthPeakRatioThroughMetrics()
    {
        var config = Config($$"""
            { "Canaries": [
              { "Name": "bf16", "Model": "cuda:gemm", "Precision": "BF16", "Size": 1024, "Interval": "00:00:02", "Measure": {{Quick}} },
              { "Name": "pcie", "Model": "cuda:pcie", "Size": 1, "Interval": "00:00:02", "Measure": {{Quick}} }
            ] }
            """);
        var environment = new Dictionary<string, string> { ["FAKE_CUBLAS_MATMUL_US"] = "2000", ["CUDA_HOME"] = FakeCudaLibraries.Empty };
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config, "--set", $"Cuda:LibraryDirectory={FakeCudaLibraries.Full}"], environment);
        await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(60));

        var text = string.Empty;
        for (var i = 0; i < 120 && !(text.Contains("benchdaemon_canary_flops_per_second{", StringComparison.Ordinal) && text.Contains("direction=\"device_to_host\"", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            text = await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(10));
        }

        const string Labels = "canary=\"bf16\",model=\"cuda:gemm\",provider=\"CUDA\",precision=\"BF16\",batch=\"1\"";
        var flops = Regex.Match(text, "(?m)^benchdaemon_canary_flops_per_second\\{" + Regex.Escape(Labels) + "\\} ([0-9.e+]+)$");
        Assert.True(flops.Success, text);
        AssertClose(2.0 * 1024 * 1024 * 1024 / 0.002, double.Parse(flops.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches("(?m)^benchdaemon_canary_peak_ratio\\{" + Regex.Escape(Labels) + "\\} [0-9.e+-]+$", text);
        Assert.Matches("(?m)^benchdaemon_canary_bandwidth_bytes_per_second\\{canary=\"pcie\",model=\"cuda:pcie\",provider=\"CUDA\",precision=\"FP32\",batch=\"1\",direction=\"host_to_device\"\\} [0-9.e+]+$", text);
        Assert.Matches("(?m)^benchdaemon_canary_runs_total\\{canary=\"bf16\",status=\"ok\",reason=\"\"\\} [0-9]+$", text);

        var (exitCode, output) = await Promtool.RunAsync(text, "check", "metrics");
        Assert.True(exitCode == 0, output);
        Assert.Equal(string.Empty, output.Trim());
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-6 * Math.Abs(expected), $"expected {expected}, got {actual}");

    private static Dictionary<string, JsonElement> Results(string stdout)
    {
        using var json = JsonDocument.Parse(stdout);
        return json.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("canary").GetString()!, r => r.Clone());
    }

    /// <summary>The fake driver logs its live resources at every context release: all must be zero, once per run that reached the device.</summary>
    private void AssertEverythingReleased(int expectedRuns)
    {
        var lines = File.ReadAllLines(LogPath);
        Assert.Equal(expectedRuns, lines.Length);
        Assert.All(lines, line => Assert.Equal("device_memory=0 host_memory=0 events=0 streams=0 contexts=0 blas_objects=0", line));
    }

    private string LogPath => Path.Combine(_temp.Path, "fake-cuda.log");

    private string Config(string json) => _temp.File($"config-{Guid.NewGuid():N}.json", json);

    private async Task<(int ExitCode, string Stdout, string Stderr)> OnceAsync(string config, string libraryDirectory, Dictionary<string, string> environment, bool json = true)
    {
        environment["FAKE_CUDA_LOG"] = LogPath;
        // An empty CUDA_HOME keeps a developer's toolkit out of the search.
        environment["CUDA_HOME"] = FakeCudaLibraries.Empty;
        string[] args =
        [
            "once", .. json ? new[] { "--json" } : [], "--config", config,
            "--set", $"State:Directory={_temp.Path}",
            "--set", "Defaults:Canaries=false",
            "--set", $"Cuda:LibraryDirectory={libraryDirectory}",
        ];
        return await DaemonProcess.RunAsync(args, environment, TimeSpan.FromSeconds(120));
    }
}
