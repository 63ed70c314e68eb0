using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class DefaultCanariesTests
{
    private static readonly ProviderFailure s_noTensorRt = new(ReasonCodes.LibraryUnavailable, "libnvinfer.so.10 not found", "libnvinfer.so.10 (TensorRT 10) not found; searched: …");

    [Fact]
    public void For_CudaAndTensorRtUsable_GpuCanariesBesideTheCpuOnes()
    {
        var usability = Usability(ProviderUsability.UsableOn(ExecutionProviders.Cuda, 0), ProviderUsability.UsableOn(ExecutionProviders.TensorRt, 0));

        var canaries = Expand(DefaultCanaries.For(usability));

        Assert.Equal(
            [
                "default-bert-base-cpu-fp32", "default-bert-base-cpu-int8", "default-bert-base-cuda-fp16", "default-bert-base-cuda-fp32",
                "default-bert-base-tensorrt-fp16", "default-bert-base-tensorrt-int8", "default-gemm-cuda-fp16", "default-gemm-cuda-fp32",
                "default-memcpy-cuda-fp32", "default-pcie-cuda-fp32", "default-resnet50-cpu-fp32", "default-resnet50-cpu-int8",
                "default-resnet50-cuda-fp16", "default-resnet50-cuda-fp32", "default-resnet50-tensorrt-fp16", "default-resnet50-tensorrt-int8",
            ],
            canaries.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(canaries.Where(c => !ExecutionProviders.IsCpu(c.Provider)), c => Assert.Equal(DeviceRef.Gpu(0), c.Device));
    }

    [Fact]
    public void For_CudaUsableTensorRtNot_NoTensorRtCanaries()
    {
        var usability = Usability(ProviderUsability.UsableOn(ExecutionProviders.Cuda, 0), ProviderUsability.Unusable(ExecutionProviders.TensorRt, 0, s_noTensorRt));

        var canaries = Expand(DefaultCanaries.For(usability));

        Assert.Contains(canaries, c => c.Name == "default-resnet50-cuda-fp16");
        Assert.DoesNotContain(canaries, c => c.Provider == "TensorRT");
    }

    [Fact]
    public void For_SecondGpuOnly_NamedAndPlacedOnIt()
    {
        var usability = Usability(ProviderUsability.Unusable(ExecutionProviders.Cuda, 0, s_noTensorRt), ProviderUsability.UsableOn(ExecutionProviders.Cuda, 1));

        var canaries = Expand(DefaultCanaries.For(usability));

        Assert.Contains(canaries, c => c.Name == "default-gpu1-resnet50-cuda-fp32" && c.Device == DeviceRef.Gpu(1));
        Assert.Contains(canaries, c => c.Name == "default-gpu1-gemm-cuda-fp16" && c.Device == DeviceRef.Gpu(1));
        Assert.DoesNotContain(canaries, c => c.Device == DeviceRef.Gpu(0));
    }

    [Fact]
    public void For_NothingUsable_TheFourCpuCanaries()
    {
        var canaries = Expand(DefaultCanaries.For(ProviderUsabilityReport.None));

        Assert.Equal(4, canaries.Count);
        Assert.All(canaries, c => Assert.Equal("CPU", c.Provider));
    }

    private static ProviderUsabilityReport Usability(params ProviderUsability[] providers) => new() { Providers = providers };

    private static IReadOnlyList<CanaryDefinition> Expand(IReadOnlyList<CanaryOptions> options)
    {
        var (canaries, errors) = CanaryExpander.Expand(options);
        Assert.Empty(errors);
        return canaries;
    }
}
