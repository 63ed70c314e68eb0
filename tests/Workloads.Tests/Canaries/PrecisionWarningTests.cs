using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Workloads.Tests.Canaries;

/// <summary>
/// A declared <c>Precision</c> that contradicts the model file's graph: a warning naming the key,
/// both precisions and the file, never an error; no warning where the configuration makes the
/// combination meaningful (a variant of that precision, TensorRT's option on an FP32 file).
/// </summary>
public sealed class PrecisionWarningTests : IDisposable
{
    private readonly ModelFiles _models = new();
    private readonly string _int8;

    public PrecisionWarningTests()
    {
        // INT8 the way exporters write it: a QuantizeLinear/DequantizeLinear pair.
        _int8 = _models.Write("qdq.onnx", new OnnxModelBuilder("qdq")
            .Input("x", OnnxElementType.Float, "batch", 4)
            .Output("y", OnnxElementType.Float, "batch", 4)
            .Initializer("scale", [], new float[] { 0.1f })
            .Initializer("zero", [], new byte[] { 128 })
            .Node("QuantizeLinear", ["x", "scale", "zero"], ["q"])
            .Node("DequantizeLinear", ["q", "scale", "zero"], ["y"])
            .ToBytes());
    }

    public void Dispose() => _models.Dispose();

    [Fact]
    public void Expand_Int8DeclaredForAnFp32File_WarnsNamingKeyPrecisionsAndFileAndTheCanaryStays()
    {
        var expansion = CanaryExpander.Expand([new CanaryOptions { Name = "ok", Model = _models.Mlp }, new CanaryOptions { Name = "m", Model = _models.Mlp, Precision = Precision.INT8 }]);

        Assert.Empty(expansion.Errors);
        Assert.Equal(2, expansion.Canaries.Count);
        var (key, problem) = Assert.Single(expansion.Warnings);
        Assert.Equal("Canaries:1:Precision", key);
        Assert.StartsWith("INT8, but mlp.onnx is an FP32 graph (no quantization operators, no float16 weights): it runs as INT8 only through Variants:INT8 or TensorRT", problem, StringComparison.Ordinal);
        Assert.EndsWith("as configured the canary is skipped (precision_unavailable)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_Fp32DeclaredForAnInt8File_WarnsThatItRunsLabelledFp32()
    {
        var expansion = CanaryExpander.Expand([new CanaryOptions { Name = "m", Model = _int8, Precision = Precision.FP32 }]);

        Assert.Empty(expansion.Errors);
        Assert.Equal(Precision.FP32, Assert.Single(expansion.Canaries).Precision);
        var (key, problem) = Assert.Single(expansion.Warnings);
        Assert.Equal("Canaries:0:Precision", key);
        Assert.StartsWith("FP32, but qdq.onnx is an INT8 graph (quantization operators): it runs as it is, labelled FP32", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_Int8DeclaredForAnFp16File_WarnsWithoutOfferingTensorRt()
    {
        var expansion = CanaryExpander.Expand([new CanaryOptions { Name = "m", Model = _models.MlpFp16, Precision = Precision.INT8 }]);

        var (key, problem) = Assert.Single(expansion.Warnings);
        Assert.Equal("Canaries:0:Precision", key);
        Assert.StartsWith("INT8, but mlp-fp16.onnx is an FP16 graph (float16 weights or inputs): it runs as INT8 only through Variants:INT8;", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_Fp16OnTensorRtFromAnInt8File_WarnsItIsSkipped_TheFileIsNoFp32Reference()
    {
        // TensorRT's FP16 option makes sense from an FP32 file only: this one is quantized, so it
        // is the INT8 variant, never the FP32 reference TensorRT's option would build from.
        var expansion = CanaryExpander.Expand([new CanaryOptions { Name = "m", Model = _int8, Provider = "TensorRT", Precision = Precision.FP16 }]);

        var (_, problem) = Assert.Single(expansion.Warnings);
        Assert.Contains("it runs as FP16 only through Variants:FP16; as configured the canary is skipped (precision_unavailable)", problem, StringComparison.Ordinal);
        var canary = Assert.Single(expansion.Canaries);
        Assert.Equal(_int8, canary.Variants[Precision.INT8]);
        Assert.False(canary.Variants.ContainsKey(Precision.FP32));
    }

    public static TheoryData<string, string, Precision?, string?, string?> Meaningful => new()
    {
        // name, model (mlp, fp16, int8, absent), declared precision, provider, variant of the declared precision
        { "declared as read", "int8", Precision.INT8, null, null },
        { "not declared", "int8", null, null, null },
        { "fp32 as fp32", "mlp", Precision.FP32, null, null },
        { "int8 variant given", "mlp", Precision.INT8, null, "int8" },
        { "fp32 variant given", "int8", Precision.FP32, null, "mlp" },
        { "TensorRT fp16 from fp32", "mlp", Precision.FP16, "TensorRT", null },
        { "TensorRT int8 from fp32", "mlp", Precision.INT8, "TensorRT", null },
        { "file not readable", "absent", Precision.INT8, null, null },
    };

    [Theory]
    [MemberData(nameof(Meaningful))]
    public void Expand_ConfigurationMakesThePrecisionMeaningful_NoWarning(string name, string model, Precision? declared, string? provider, string? variant)
    {
        var options = new CanaryOptions { Name = name.Replace(' ', '-'), Model = File(model), Precision = declared, Provider = provider ?? "CPU" };
        if (variant is not null)
        {
            options.Variants[declared!.Value] = File(variant);
        }

        var expansion = CanaryExpander.Expand([options]);

        Assert.Empty(expansion.Errors);
        Assert.Single(expansion.Canaries);
        Assert.Empty(expansion.Warnings);
    }

    private string File(string model) => model switch
    {
        "mlp" => _models.Mlp,
        "fp16" => _models.MlpFp16,
        "int8" => _int8,
        _ => Path.Combine(_models.Directory, "absent.onnx"),
    };
}
