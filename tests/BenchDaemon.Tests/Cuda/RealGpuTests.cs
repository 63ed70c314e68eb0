using System.Text.Json;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Cuda;

/// <summary>
/// What only a host with a real NVIDIA GPU can show: the NVML probe on the real driver, and the
/// CUDA canaries (ONNX Runtime's CUDA provider, the cuBLASLt micro-canary) measuring on the
/// device. Everywhere else they are reported as skipped, with what is missing.
/// </summary>
public sealed class RealGpuTests : IDisposable
{
    private const string Quick = """{ "MinIterations": 50, "MinDuration": "00:00:00", "WarmupMaxIterations": 10, "Budget": "00:00:30" }""";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static bool HasGpu => File.Exists("/dev/nvidia0") && HostLibraries.Has("libnvidia-ml.so.1") && HostLibraries.Has("libcuda.so.1");

    [Fact]
    public async Task Probe_RealDriver_NamesEveryGpuWithItsReadings()
    {
        Assert.SkipUnless(HasGpu, "needs an NVIDIA GPU with its driver (/dev/nvidia0, libnvidia-ml.so.1, libcuda.so.1)");

        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(
            ["probe", "--json", "--window", "00:00:00.500", "--set", $"State:Directory={_temp.Path}"],
            timeout: TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var gpu = json.RootElement.GetProperty("gpu");
        Assert.True(gpu.GetProperty("up").GetBoolean(), stdout);
        var gpus = gpu.GetProperty("gpus");
        Assert.True(gpus.GetArrayLength() >= 1, stdout);
        foreach (var device in gpus.EnumerateArray())
        {
            Assert.StartsWith("GPU-", device.GetProperty("identity").GetProperty("uuid").GetString(), StringComparison.Ordinal);
            Assert.InRange(device.GetProperty("temperatureCelsius").GetDouble(), 1, 120);
        }
    }

    [Fact]
    public async Task Once_CudaCanariesOnARealGpu_Measure()
    {
        Assert.SkipUnless(
            HasGpu && HostLibraries.HasCuda13 && HostLibraries.Has("libcublasLt.so.13") && HostLibraries.Has("libcudnn.so.9"),
            "needs an NVIDIA GPU with the CUDA 13 stack ONNX Runtime's CUDA provider loads (libcudart.so.13, libcublasLt.so.13, libcudnn.so.9)");

        var config = _temp.File("config.json", $$"""
            { "Canaries": [
              { "Name": "onnx-cuda", "Model": "builtin:resnet-mini", "Provider": "CUDA", "Measure": {{Quick}} },
              { "Name": "gemm", "Model": "cuda:gemm", "Size": 1024, "Measure": {{Quick}} }
            ] }
            """);

        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(
            ["once", "--json", "--config", config, "--set", $"State:Directory={_temp.Path}", "--set", "Defaults:Canaries=false"],
            timeout: TimeSpan.FromSeconds(300));

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var results = json.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("canary").GetString()!, r => r.Clone());
        foreach (var name in new[] { "onnx-cuda", "gemm" })
        {
            var status = results[name].GetProperty("status").GetString();
            Assert.True(status is "ok" or "unstable", $"{name}: {status} {results[name].GetProperty("reason")}");
        }
    }
}
