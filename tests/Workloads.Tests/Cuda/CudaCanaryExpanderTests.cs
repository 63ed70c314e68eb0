using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Tests.Cuda;

public sealed class CudaCanaryExpanderTests
{
    [Fact]
    public void Expand_GemmMatrixOverPrecisions_OneCudaCanaryPerPrecisionOnTheGpu()
    {
        var options = new CanaryOptions
        {
            Name = "h100",
            Size = 8192,
            Matrix = new CanaryMatrixOptions
            {
                Models = [CudaModels.Gemm],
                Providers = ["CPU", "TensorRT"],
                Precisions = [.. CudaModels.GemmPrecisions],
            },
        };

        var (canaries, errors) = CanaryExpander.Expand([options]);

        Assert.Empty(errors);
        Assert.Equal(["h100-gemm-cuda-fp32", "h100-gemm-cuda-tf32", "h100-gemm-cuda-fp16", "h100-gemm-cuda-bf16", "h100-gemm-cuda-int8", "h100-gemm-cuda-fp8"], canaries.Select(c => c.Name));
        Assert.All(canaries, c =>
        {
            Assert.True(c.IsCuda);
            Assert.Equal("CUDA", c.Provider);
            Assert.Equal(DeviceRef.Gpu(0), c.Device);
            Assert.Equal(8192, c.Size);
            Assert.Equal("cuda:gemm", c.ModelLabel);
            Assert.Equal([1], c.BatchSizes);
            Assert.Empty(c.Variants);
        });
    }

    [Theory]
    [InlineData(CudaModels.Gemm, 8192)]
    [InlineData(CudaModels.Memcpy, 1024)]
    [InlineData(CudaModels.Pcie, 256)]
    public void Expand_NoSize_DefaultPerModel(string model, int size)
    {
        var (canaries, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "x", Model = model, ProviderOptions = { ["device_id"] = "2" } }]);

        Assert.Empty(errors);
        var canary = Assert.Single(canaries);
        Assert.Equal(size, canary.Size);
        Assert.Equal(DeviceRef.Gpu(2), canary.Device);
    }

    [Fact]
    public void Expand_OnnxCanary_NoSizeAndNotCuda()
    {
        var canary = Assert.Single(CanaryExpander.Expand([new CanaryOptions { Name = "x", Model = "/m/a.onnx" }]).Canaries);
        Assert.Null(canary.Size);
        Assert.False(canary.IsCuda);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(8192)]
    [InlineData(65536)]
    public void Expand_GemmSizesInRange_Accepted(int size)
    {
        Assert.Empty(CanaryExpander.Expand([new CanaryOptions { Name = "g", Model = CudaModels.Gemm, Size = size, Precision = Precision.FP8 }]).Errors);
    }

    [Theory]
    [InlineData(240)]
    [InlineData(8200)]
    [InlineData(65552)]
    [InlineData(-16)]
    public void Expand_GemmSizesOutOfRangeOrNotMultipleOf16_ErrorNamesSize(int size)
    {
        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "g", Model = CudaModels.Gemm, Size = size }]);

        Assert.Equal("Canaries:0:Size", Assert.Single(errors).Key);
    }

    [Fact]
    public void Expand_MixedMatrixWithGemmOnlyPrecision_ErrorNamesMatrixPrecisions()
    {
        var options = new CanaryOptions
        {
            Name = "m",
            Matrix = new CanaryMatrixOptions { Models = ["/m/a.onnx", CudaModels.Gemm], Precisions = [Precision.FP16, Precision.BF16] },
        };

        var (canaries, errors) = CanaryExpander.Expand([options]);

        Assert.Empty(canaries);
        var error = Assert.Single(errors);
        Assert.Equal("Canaries:0:Matrix:Precisions", error.Key);
        Assert.Contains("BF16 is valid only for cuda:gemm", error.Problem, StringComparison.Ordinal);
    }
}
