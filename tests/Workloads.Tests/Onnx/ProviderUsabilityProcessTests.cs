using System.Diagnostics;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Tests.Support;

namespace BenchDaemon.Workloads.Tests.Onnx;

/// <summary>
/// The usability check in a child process (as in the worker) against the fake CUDA stack: ONNX
/// Runtime's real CUDA and TensorRT provider libraries load against it, then meet a CUDA runtime
/// that answers as on a host whose driver sees no GPU.
/// </summary>
public sealed class ProviderUsabilityProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("benchdaemon-usability-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [GpuPackageFact]
    public async Task Check_FakeRuntimeSeesNoDevice_ProvidersLoadAndSayNoCudaDevice()
    {
        var directory = FakeCudaStack.CopyTo(Path.Combine(_root, "libs"));

        var (report, trace) = await CheckAsync(directory, [], "CUDA", "TensorRT");

        foreach (var provider in new[] { ExecutionProviders.Cuda, ExecutionProviders.TensorRt })
        {
            var result = report.Find(provider)!;
            Assert.False(result.Usable);
            Assert.Equal(ReasonCodes.DeviceUnavailable, result.ReasonCode);
            Assert.Equal("no CUDA device", result.Summary);
            Assert.Contains("no CUDA-capable device is detected", result.Reason, StringComparison.Ordinal);
        }

        // The answer came from ONNX Runtime's provider calling into the (fake) CUDA runtime, not from a guess.
        Assert.Contains("cudaGetDeviceCount", trace);
        var cudart = report.Libraries["libcudart.so.13"]!;
        Assert.Equal(Path.Combine(directory, "libcudart.so.13"), cudart.Path);
        Assert.Equal(GpuLibrarySource.Configured, cudart.Source);
        Assert.True(cudart.Loaded);
    }

    [GpuPackageFact]
    public async Task Check_RuntimeRefusesTheDriver_DriverTooOldForCuda13()
    {
        var directory = FakeCudaStack.CopyTo(Path.Combine(_root, "libs"));

        var (report, _) = await CheckAsync(directory, new() { ["FAKE_CUDART_ERROR"] = "35" }, "CUDA");

        var cuda = report.Find("CUDA")!;
        Assert.Equal(ReasonCodes.DriverUnavailable, cuda.ReasonCode);
        Assert.Equal("driver too old for CUDA 13", cuda.Summary);
    }

    [GpuPackageFact]
    public async Task Check_DriverSupportsCuda12Only_DriverTooOldBeforeTouchingTheRuntime()
    {
        var directory = FakeCudaStack.CopyTo(Path.Combine(_root, "libs"));

        var (report, trace) = await CheckAsync(directory, new() { ["FAKE_CUDA_DRIVER_VERSION"] = "12040" }, "CUDA");

        var cuda = report.Find("CUDA")!;
        Assert.Equal("driver too old for CUDA 13", cuda.Summary);
        Assert.Contains("it supports CUDA 12.4", cuda.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("cudaGetDeviceCount", trace);
    }

    [GpuPackageFact]
    public async Task Check_DriverSeesNoGpu_NoCudaDeviceFromTheDriver()
    {
        var directory = FakeCudaStack.CopyTo(Path.Combine(_root, "libs"));

        var (report, trace) = await CheckAsync(directory, new() { ["FAKE_CUDA_INIT"] = "100" }, "CUDA");

        var cuda = report.Find("CUDA")!;
        Assert.Equal("no CUDA device", cuda.Summary);
        Assert.Contains("cuInit: CUDA_ERROR_NO_DEVICE", cuda.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("cudaGetDeviceCount", trace);
    }

    [GpuPackageFact]
    public async Task Check_DeviceBeyondTheHostsCount_NamesTheDevice()
    {
        var directory = FakeCudaStack.CopyTo(Path.Combine(_root, "libs"));

        var (report, _) = await CheckAsync(directory, new() { ["FAKE_CUDA_DEVICE_COUNT"] = "1" }, "CUDA:1");

        var cuda = report.Find("CUDA", 1)!;
        Assert.Equal(ReasonCodes.DeviceUnavailable, cuda.ReasonCode);
        Assert.StartsWith("no CUDA device 1: the host has 1", cuda.Reason, StringComparison.Ordinal);
    }

    [GpuPackageFact]
    public async Task Check_CudnnMissing_NamesItAndEveryPlaceSearched_TensorRtMissingToo()
    {
        var directory = FakeCudaStack.CopyTo(Path.Combine(_root, "libs"), "libcudnn.so.9", "libnvinfer.so.10");

        var (report, trace) = await CheckAsync(directory, [], "CUDA", "TensorRT");

        var cuda = report.Find("CUDA")!;
        Assert.Equal(ReasonCodes.LibraryUnavailable, cuda.ReasonCode);
        Assert.Equal("libcudnn.so.9 not found", cuda.Summary);
        Assert.StartsWith($"libcudnn.so.9 (cuDNN 9) not found; searched: {directory} (Cuda:LibraryDirectory), ", cuda.Reason, StringComparison.Ordinal);
        Assert.Contains("/etc/ld.so.cache (loader path)", cuda.Reason, StringComparison.Ordinal);
        var trt = report.Find("TensorRT")!;
        Assert.StartsWith("libcudnn.so.9 (cuDNN 9), libnvinfer.so.10 (TensorRT 10) not found", trt.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("cudaGetDeviceCount", trace);
    }

    private async Task<(ProviderUsabilityReport Report, string[] Trace)> CheckAsync(string directory, Dictionary<string, string> environment, params string[] providers)
    {
        var trace = Path.Combine(_root, "trace-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", ["exec", typeof(ChildProgram).Assembly.Location, "usability", directory, .. providers])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // The test host's profiler and startup hooks must not follow the child, nor a developer's CUDA.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.StartsWith("CORECLR_", StringComparison.Ordinal)
                     || k.StartsWith("VSTEST", StringComparison.Ordinal) || k.StartsWith("COMPlus_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var name in new[] { "CUDA_HOME", "CUDA_PATH", "LD_LIBRARY_PATH", "VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = _root;
        start.Environment["FAKE_CUDA_TRACE"] = trace;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await child.WaitForExitAsync(timeout.Token);
        Assert.True(child.ExitCode == 0, await stderr);
        return (ProviderUsabilityReport.FromJson(await stdout), File.Exists(trace) ? await File.ReadAllLinesAsync(trace) : []);
    }
}
