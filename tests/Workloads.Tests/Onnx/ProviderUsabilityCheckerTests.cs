using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Onnx;

/// <summary>
/// The check in the test host, searching only an empty folder: a host without the NVIDIA driver
/// or CUDA libraries, whatever this machine has. Nothing is loaded on that path (discovery fails
/// first), so the test host stays clean.
/// </summary>
public sealed class ProviderUsabilityCheckerTests : IDisposable
{
    private readonly string _empty = Directory.CreateTempSubdirectory("benchdaemon-nocuda-").FullName;

    public ProviderUsabilityCheckerTests() => CudaLibraries.UseRoots(directory => new GpuSearchRoots { ConfiguredDirectories = GpuSearchRoots.SplitPathList(directory) });

    public void Dispose()
    {
        CudaLibraries.UseRoots(directory => GpuSearchRoots.FromEnvironment(directory));
        Directory.Delete(_empty, recursive: true);
    }

    [GpuPackageFact]
    public void Check_HostWithoutCuda_GpuProvidersUnusableNamingTheMissingLibrariesNotTheBuild_CpuUsable()
    {
        var cuda = Options.Create(new CudaOptions { LibraryDirectory = _empty });
        var runtime = new OnnxRuntimeInfo(Options.Create(new OnnxRuntimeOptions()), cuda);
        var checker = new ProviderUsabilityChecker(runtime, cuda, Options.Create(new OnnxRuntimeOptions()), TimeProvider.System);

        var report = checker.Check([new("CUDA", 0), new("TensorRT", 0), new("CPU", 0)]);

        var result = report.Find("CUDA")!;
        Assert.False(result.Usable);
        Assert.Contains("libcudnn.so.9 (cuDNN 9)", result.Reason, StringComparison.Ordinal);
        Assert.Contains($"not found; searched: {_empty} (Cuda:LibraryDirectory)", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("not in this", result.Reason, StringComparison.Ordinal);
        Assert.Contains("libnvinfer.so.10 (TensorRT 10)", report.Find("TensorRT")!.Reason, StringComparison.Ordinal);
        Assert.True(report.Find("CPU")!.Usable);
        Assert.Equal(OnnxRuntimeBuild.GpuFlavor, report.Flavor);
        Assert.Equal(runtime.Version, report.OnnxRuntimeVersion);
        Assert.Contains(ExecutionProviders.Cuda, runtime.CompiledProviders);
    }

    [Fact]
    public void TryAppend_CudaOnAHostWithoutCuda_FailureNamesTheMissingLibrary()
    {
        CudaLibraries.Configure(_empty);
        using var options = new SessionOptions();

        var failure = ExecutionProviders.TryAppend(options, "CUDA", new Dictionary<string, string> { ["device_id"] = "0" }, Precision.FP32, out _);

        Assert.NotNull(failure);
        Assert.Contains("libcudart.so.13 (CUDA 13 runtime)", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("not found; searched:", failure.Reason, StringComparison.Ordinal);
    }
}
