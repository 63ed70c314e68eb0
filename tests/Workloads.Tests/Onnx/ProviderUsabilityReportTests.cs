using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Tests.Onnx;

public sealed class ProviderUsabilityReportTests
{
    [Fact]
    public void ToJsonFromJson_RoundTripsEverythingACallerCaches()
    {
        var report = new ProviderUsabilityReport
        {
            Fingerprint = new GpuEnvironmentFingerprint { DriverVersion = "580.65.06", DeviceCount = 2, Libraries = ["libcudnn.so.9 /x 10"], Hash = "ab" },
            Libraries = new GpuLibraryReport
            {
                Libraries = [new GpuLibraryStatus { Soname = "libcudnn.so.9", Description = "cuDNN 9", Path = "/x", Source = GpuLibrarySource.PythonPackages, SizeBytes = 10, Loaded = true }],
                Searched = [new GpuSearchPlace(GpuLibrarySource.PythonPackages, "/venv/nvidia/cudnn/lib")],
            },
            Providers =
            [
                ProviderUsability.UsableOn(ExecutionProviders.Cuda, 0, 0.5),
                ProviderUsability.Unusable(ExecutionProviders.TensorRt, 0, new ProviderFailure(ReasonCodes.LibraryUnavailable, "libnvinfer.so.10 not found", "libnvinfer.so.10 (TensorRT 10) not found; searched: …")),
            ],
            OnnxRuntimeVersion = "1.32.0",
            CheckedAt = new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero),
        };

        var json = report.ToJson();
        var back = ProviderUsabilityReport.FromJson(json);

        Assert.Equal(json, back.ToJson());
        Assert.Contains("\"source\":\"PythonPackages\"", json, StringComparison.Ordinal);
        Assert.True(back.IsUsable("CUDA"));
        Assert.False(back.IsUsable("TensorRT"));
        Assert.Equal("libnvinfer.so.10 not found", back.Find("TRT")!.Summary);
        Assert.Equal(GpuLibrarySource.PythonPackages, back.Libraries["libcudnn.so.9"]!.Source);
    }

    [Fact]
    public void IsUsable_CpuAlwaysGpuOnlyWhereChecked()
    {
        var report = new ProviderUsabilityReport { Providers = [ProviderUsability.UsableOn(ExecutionProviders.Cuda, 1)] };

        Assert.True(report.IsUsable("CPU"));
        Assert.False(report.IsUsable("CUDA", 0));
        Assert.True(report.IsUsable("CUDA", 1));
        Assert.Equal([1], report.UsableDevices("CUDAExecutionProvider"));
        Assert.Empty(ProviderUsabilityReport.None.UsableDevices("CUDA"));
    }
}
