using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class ExecutionProvidersTests
{
    [Fact]
    public void CudaOptions_CudaKeysPassThrough_TensorRtKeysLeftForTensorRt()
    {
        var options = ExecutionProviders.CudaOptions(new Dictionary<string, string>
        {
            ["device_id"] = "1", ["cudnn_conv_algo_search"] = "HEURISTIC", ["use_tf32"] = "0", ["prefer_nhwc"] = "1",
            ["gpu_mem_limit"] = "8589934592", ["enable_cuda_graph"] = "1", ["trt_fp16_enable"] = "1",
        });

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["device_id"] = "1", ["cudnn_conv_algo_search"] = "HEURISTIC", ["use_tf32"] = "0", ["prefer_nhwc"] = "1",
                ["gpu_mem_limit"] = "8589934592", ["enable_cuda_graph"] = "1",
            },
            options);
    }

    [Fact]
    public void TensorRtOptions_Fp16CachesAndProfile()
    {
        var profile = new TensorRtProfile("input_ids:1x128", "input_ids:8x128", "input_ids:8x128");

        var options = ExecutionProviders.TensorRtOptions(new Dictionary<string, string> { ["device_id"] = "0", ["trt_builder_optimization_level"] = "5", ["use_tf32"] = "0" }, Precision.FP16, new TensorRtSettings("/var/lib/benchdaemon/trt-cache/ab12", profile));

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["device_id"] = "0", ["trt_builder_optimization_level"] = "5", ["trt_fp16_enable"] = "1",
                ["trt_engine_cache_enable"] = "1", ["trt_engine_cache_path"] = "/var/lib/benchdaemon/trt-cache/ab12",
                ["trt_timing_cache_enable"] = "1", ["trt_timing_cache_path"] = "/var/lib/benchdaemon/trt-cache/ab12",
                ["trt_profile_min_shapes"] = "input_ids:1x128", ["trt_profile_opt_shapes"] = "input_ids:8x128", ["trt_profile_max_shapes"] = "input_ids:8x128",
            },
            options);
    }

    [Fact]
    public void TensorRtOptions_Int8AndTheUsersOwnSettingsWin()
    {
        var options = ExecutionProviders.TensorRtOptions(
            new Dictionary<string, string> { ["trt_engine_cache_path"] = "/mine", ["trt_int8_calibration_table_name"] = "calib.flatbuffers", ["trt_profile_min_shapes"] = "x:1x3" },
            Precision.INT8,
            new TensorRtSettings("/state/trt-cache/ab", new TensorRtProfile("x:2x3", "x:2x3", "x:2x3")));

        Assert.Equal("1", options["trt_int8_enable"]);
        Assert.False(options.ContainsKey("trt_fp16_enable"));
        Assert.Equal("/mine", options["trt_engine_cache_path"]);
        Assert.Equal("x:1x3", options["trt_profile_min_shapes"]);
        Assert.False(options.ContainsKey("trt_profile_opt_shapes"));
    }

    [Fact]
    public void TensorRtOptions_Fp32NoSettings_OnlyTheUsersKeys()
    {
        Assert.Equal(new Dictionary<string, string> { ["device_id"] = "2" }, ExecutionProviders.TensorRtOptions(new Dictionary<string, string> { ["device_id"] = "2" }, Precision.FP32));
    }

    [Fact]
    public void Validate_UnknownKey_NamesTheKeyAndTheKnownOnes()
    {
        var problems = ExecutionProviders.Validate(["CUDA"], new Dictionary<string, string> { ["cudnn_conv_algo_serch"] = "HEURISTIC" }).ToList();

        var (key, problem) = Assert.Single(problems);
        Assert.Equal("cudnn_conv_algo_serch", key);
        Assert.StartsWith("'cudnn_conv_algo_serch' is not an option of CUDAExecutionProvider; known: ", problem, StringComparison.Ordinal);
        Assert.Contains("cudnn_conv_algo_search", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TensorRtTakesCudaKeysToo_CudaDoesNotTakeTensorRtKeys()
    {
        var options = new Dictionary<string, string> { ["trt_fp16_enable"] = "1", ["use_tf32"] = "0" };

        Assert.Empty(ExecutionProviders.Validate(["TensorRT"], options));
        Assert.Empty(ExecutionProviders.Validate(["CUDA", "TensorRT"], options));
        Assert.Equal("trt_fp16_enable", Assert.Single(ExecutionProviders.Validate(["CUDA"], options)).Key);
    }

    [Theory]
    [InlineData("use_tf32", "yes", "'yes' is not 0 or 1")]
    [InlineData("gpu_mem_limit", "8G", "'8G' is not a non-negative integer")]
    [InlineData("cudnn_conv_algo_search", "exhaustive", "'exhaustive' is not EXHAUSTIVE, HEURISTIC or DEFAULT")]
    [InlineData("trt_builder_optimization_level", "6", "'6' is not a TensorRT builder optimisation level (0-5)")]
    public void Validate_WrongKindOfValue_Refused(string key, string value, string expected)
    {
        var (k, problem) = Assert.Single(ExecutionProviders.Validate(["TensorRT"], new Dictionary<string, string> { [key] = value }));

        Assert.Equal(key, k);
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void Validate_CpuOrOtherProviders_Unchecked()
    {
        Assert.Empty(ExecutionProviders.Validate(["CPU"], new Dictionary<string, string> { ["api_key"] = "x" }));
        Assert.Empty(ExecutionProviders.Validate(["OpenVINO"], new Dictionary<string, string> { ["device_type"] = "GPU" }));
    }
}
