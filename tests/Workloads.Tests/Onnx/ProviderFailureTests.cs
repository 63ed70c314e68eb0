using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Tests.Onnx;

public sealed class ProviderFailureTests
{
    private static readonly GpuLibraryReport s_cudnnMissing = new()
    {
        Libraries =
        [
            new GpuLibraryStatus { Soname = "libcudart.so.13", Description = "CUDA 13 runtime", Path = "/opt/cuda/lib64/libcudart.so.13", Source = GpuLibrarySource.CudaHome },
            new GpuLibraryStatus { Soname = "libcudnn.so.9", Description = "cuDNN 9" },
        ],
        Searched = [new GpuSearchPlace(GpuLibrarySource.CudaHome, "/opt/cuda/lib64"), new GpuSearchPlace(GpuLibrarySource.LoaderPath, "/etc/ld.so.cache")],
    };

    // What ONNX Runtime 1.32 throws from OrtCUDAProviderOptions.UpdateOptions on a host without cuBLAS (captured).
    private const string LoadFailure = "[ErrorCode:Fail] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:2059 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library /app/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory";

    // What it throws when the CUDA runtime finds no device (captured against the fake CUDA stack).
    private const string NoDevice = "[ErrorCode:Fail] /onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider_info.cc:66 static onnxruntime::CUDAExecutionProviderInfo onnxruntime::CUDAExecutionProviderInfo::FromProviderOptions(const onnxruntime::ProviderOptions&) [ONNXRuntimeError] : 1 : FAIL : provider_options_utils.h:187 Parse Failed to parse provider option \"device_id\": CUDA failure 100: no CUDA-capable device is detected ; GPU=-1 ; hostname=vm ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider_info.cc ; line=73 ; expr=cudaGetDeviceCount(&num_devices); ";

    [Fact]
    public void Explain_LoaderCannotOpenAKnownLibrary_NamesItAndWhereItWasLookedFor()
    {
        var report = s_cudnnMissing with { Libraries = [.. s_cudnnMissing.Libraries, new GpuLibraryStatus { Soname = "libcublasLt.so.13", Description = "cuBLASLt 13" }] };

        var failure = ProviderFailure.Explain(ExecutionProviders.Cuda, LoadFailure, report);

        Assert.Equal(ReasonCodes.LibraryUnavailable, failure.Code);
        Assert.Equal("libcublasLt.so.13 not found", failure.Summary);
        Assert.Equal("libcublasLt.so.13 (cuBLASLt 13) not found; searched: /opt/cuda/lib64 (CUDA_HOME), /etc/ld.so.cache (loader path)", failure.Reason);
    }

    [Fact]
    public void Explain_CudaFailure100_NoCudaDevice()
    {
        var failure = ProviderFailure.Explain(ExecutionProviders.Cuda, NoDevice, s_cudnnMissing);

        Assert.Equal(ReasonCodes.DeviceUnavailable, failure.Code);
        Assert.Equal("no CUDA device", failure.Summary);
        Assert.Equal("no CUDA device: CUDA failure 100: no CUDA-capable device is detected (cudaGetDeviceCount)", failure.Reason);
    }

    [Theory]
    [InlineData("CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version ; GPU=0 ; expr=cudaSetDevice(info_.device_id);")]
    [InlineData("cudaErrorInsufficientDriver")]
    public void Explain_InsufficientDriver_DriverTooOldForCuda13(string message)
    {
        var failure = ProviderFailure.Explain(ExecutionProviders.TensorRt, message, new GpuLibraryReport());

        Assert.Equal(ReasonCodes.DriverUnavailable, failure.Code);
        Assert.Equal("driver too old for CUDA 13", failure.Summary);
        Assert.Contains("R580", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_OnlyFailedToLoadSharedLibrary_TheDiscoveryResultNamesTheMissingLibrary()
    {
        var failure = ProviderFailure.Explain(ExecutionProviders.Cuda, "[ErrorCode:Fail] OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library", s_cudnnMissing);

        Assert.Equal("libcudnn.so.9 not found", failure.Summary);
        Assert.StartsWith("libcudnn.so.9 (cuDNN 9) not found; searched: /opt/cuda/lib64 (CUDA_HOME), /etc/ld.so.cache (loader path)", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_MissingSymbolVersion_MismatchedCudaVersion()
    {
        var failure = ProviderFailure.Explain(ExecutionProviders.Cuda, "libonnxruntime_providers_cuda.so: version `libcudart.so.13' not found (required by …)", new GpuLibraryReport());

        Assert.Equal(ReasonCodes.LibraryUnavailable, failure.Code);
        Assert.Equal("CUDA libraries of another version", failure.Summary);
    }

    [Fact]
    public void Explain_SomethingElse_RuntimeErrorWithTheCauseNotTheSourceLocation()
    {
        var failure = ProviderFailure.Explain(ExecutionProviders.Cuda, "[ErrorCode:Fail] /onnxruntime_src/x.cc:1 f() [ONNXRuntimeError] : 1 : FAIL : something odd", new GpuLibraryReport());

        Assert.Equal(ReasonCodes.RuntimeError, failure.Code);
        Assert.Equal("ONNX Runtime: something odd", failure.Reason);
    }

    [Fact]
    public void FromDriver_Cuda12Driver_TooOldSayingWhatItSupports()
    {
        var failure = ProviderFailure.FromDriver(0, "CUDA_SUCCESS", 12040, 1, 0)!;

        Assert.Equal("driver too old for CUDA 13", failure.Summary);
        Assert.StartsWith("driver too old for CUDA 13: it supports CUDA 12.4;", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDriver_NoDeviceOrDeviceBeyondCount_DeviceUnavailable_Cuda13DeviceZero_Null()
    {
        Assert.Equal("no CUDA device", ProviderFailure.FromDriver(100, "CUDA_ERROR_NO_DEVICE", 13000, 0, 0)!.Summary);
        Assert.Equal("no CUDA device 2", ProviderFailure.FromDriver(0, "CUDA_SUCCESS", 13000, 2, 2)!.Summary);
        Assert.Null(ProviderFailure.FromDriver(0, "CUDA_SUCCESS", 13020, 1, 0));
    }

    [Fact]
    public void FromLibraries_NoDriver_DriverUnavailableListingEveryMissingLibrary()
    {
        var report = s_cudnnMissing with { Libraries = [new GpuLibraryStatus { Soname = "libcuda.so.1", Description = "NVIDIA driver" }, .. s_cudnnMissing.Libraries] };

        var failure = ProviderFailure.FromLibraries(report)!;

        Assert.Equal(ReasonCodes.DriverUnavailable, failure.Code);
        Assert.StartsWith("libcuda.so.1 (NVIDIA driver), libcudnn.so.9 (cuDNN 9) not found; searched:", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FromLibraries_FoundButNotLoadable_NamesTheLoadersMessage()
    {
        var report = new GpuLibraryReport { Libraries = [new GpuLibraryStatus { Soname = "libcudnn.so.9", Description = "cuDNN 9", Path = "/x/libcudnn.so.9", LoadError = "libz.so.1: cannot open shared object file" }] };

        var failure = ProviderFailure.FromLibraries(report)!;

        Assert.Equal("libcudnn.so.9 (/x/libcudnn.so.9) failed to load: libz.so.1: cannot open shared object file", failure.Reason);
    }
}
