using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class CanaryExpanderTests
{
    [Fact]
    public void Expand_Matrix_GivesOneCanaryPerModelProviderPrecision()
    {
        var options = new CanaryOptions
        {
            Name = "zoo",
            Matrix = new CanaryMatrixOptions
            {
                Models = ["/m/a.onnx", "/m/b.onnx"],
                Providers = ["CPU", "CUDA"],
                Precisions = [Precision.FP32, Precision.FP16, Precision.INT8],
            },
            BatchSizes = [1, 8],
        };

        var (canaries, errors) = CanaryExpander.Expand([options]);

        Assert.Empty(errors);
        Assert.Equal(12, canaries.Count);
        Assert.Contains(canaries, c => c.Name == "zoo-a-cuda-fp16" && c.Model == "/m/a.onnx" && c.Provider == "CUDA" && c.Precision == Precision.FP16);
        Assert.All(canaries, c => Assert.Equal([1, 8], c.BatchSizes));
        Assert.Equal(12, canaries.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void Expand_PlainCanary_ModelIsTheFp32Variant()
    {
        var (canaries, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "a", Model = "/m/a.onnx", Variants = { [Precision.FP16] = "/m/a16.onnx" } }]);

        Assert.Empty(errors);
        var canary = Assert.Single(canaries);
        Assert.Equal("/m/a.onnx", canary.Variants[Precision.FP32]);
        Assert.Equal("/m/a16.onnx", canary.Variants[Precision.FP16]);
        Assert.Equal("a", canary.ModelLabel);
    }

    [Theory]
    [InlineData("", "/m.onnx", 1, "Canaries:0:Name", "is required")]
    [InlineData("a", null, 1, "Canaries:0:Model", "is required")]
    [InlineData("a", "/m.onnx", 0, "Canaries:0:BatchSizes", "0 is out of range 1-4096")]
    [InlineData("a", "/m.onnx", 5000, "Canaries:0:BatchSizes", "5000 is out of range 1-4096")]
    public void Expand_Invalid_NamesKey(string name, string? model, int batch, string key, string problem)
    {
        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = name, Model = model, BatchSizes = [batch] }]);

        var error = Assert.Single(errors);
        Assert.Equal(key, error.Key);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_MinDurationLongerThanBudget_IsAnError()
    {
        var options = new CanaryOptions { Name = "a", Model = "/m.onnx", Measure = new MeasureOptions { MinDuration = TimeSpan.FromMinutes(2), Budget = TimeSpan.FromMinutes(1) } };

        var (_, errors) = CanaryExpander.Expand([options]);

        Assert.Contains(errors, e => e.Key == "Canaries:0:Measure:MinDuration" && e.Problem.Contains("longer than the budget", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("MedianPrecision", 0.0, "must be between 0 exclusive and 1, got '0'")]
    [InlineData("WindowAgreement", double.NaN, "must be between 0 exclusive and 10, got 'NaN'")]
    [InlineData("TailConfidence", 1.0, "must be between 0.5 and 0.9999, got '1'")]
    [InlineData("MaxDuration", 1.0, "is outside MinDuration 00:00:02")]
    public void Expand_PrecisionSettingOutOfRange_NamesKey(string setting, double value, string problem)
    {
        var measure = setting switch
        {
            "MedianPrecision" => new MeasureOptions { MedianPrecision = value },
            "WindowAgreement" => new MeasureOptions { WindowAgreement = value },
            "TailConfidence" => new MeasureOptions { TailConfidence = value },
            _ => new MeasureOptions { MaxDuration = TimeSpan.FromSeconds(value) },
        };

        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "a", Model = "/m.onnx", Measure = measure }]);

        Assert.Contains(errors, e => e.Key == $"Canaries:0:Measure:{setting}" && e.Problem.Contains(problem, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1 ")]
    [InlineData("GPU-5f1c")]
    [InlineData("-1")]
    public void Expand_DeviceIdNotAnIndex_IsAnError(string deviceId)
    {
        var options = new CanaryOptions { Name = "a", Model = "/m.onnx", Provider = "CUDA", ProviderOptions = { ["device_id"] = deviceId } };

        var (_, errors) = CanaryExpander.Expand([options]);

        Assert.Contains(errors, e => e.Key == "Canaries:0:ProviderOptions:device_id" && e.Problem.Contains("is not a device index", StringComparison.Ordinal));
    }

    [Fact]
    public void Expand_GpuCanary_DeviceComesFromDeviceId()
    {
        var (canaries, _) = CanaryExpander.Expand([new CanaryOptions { Name = "a", Model = "/m.onnx", Provider = "TensorRT", ProviderOptions = { ["device_id"] = "3" } }]);

        Assert.Equal(DeviceRef.Gpu(3), Assert.Single(canaries).Device);
    }

    [Fact]
    public void Expand_DuplicateNames_IsAnError()
    {
        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "a", Model = "/x.onnx" }, new CanaryOptions { Name = "a", Model = "/y.onnx" }]);

        Assert.Contains(errors, e => e.Problem.Contains("'a' is used 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void Expand_UnknownTensorRtOption_ConfigurationErrorNamingTheKey()
    {
        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "a", Model = "/m.onnx", Provider = "TensorRT", ProviderOptions = { ["trt_fp17_enable"] = "1" } }]);

        var error = Assert.Single(errors);
        Assert.Equal("Canaries:0:ProviderOptions:trt_fp17_enable", error.Key);
        Assert.StartsWith("'trt_fp17_enable' is not an option of TensorrtExecutionProvider", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_MatrixOfCpuAndTensorRt_TensorRtOptionsAccepted()
    {
        var (canaries, errors) = CanaryExpander.Expand([new CanaryOptions
        {
            Name = "m", Matrix = new CanaryMatrixOptions { Models = ["/m.onnx"], Providers = ["CPU", "TensorRT"] },
            ProviderOptions = { ["trt_builder_optimization_level"] = "4", ["cudnn_conv_algo_search"] = "HEURISTIC" },
        }]);

        Assert.Empty(errors);
        Assert.Equal(2, canaries.Count);
    }
}
