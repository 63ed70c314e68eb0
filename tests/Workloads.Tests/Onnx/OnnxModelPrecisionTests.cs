using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Models.Quantization;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Tests.Canaries;

namespace BenchDaemon.Workloads.Tests.Onnx;

public sealed class OnnxModelPrecisionTests : IDisposable
{
    private readonly ModelFiles _models = new();

    public void Dispose() => _models.Dispose();

    [Fact]
    public void Read_Float32Model_FP32() => Assert.Equal(Precision.FP32, OnnxModelPrecision.Read(_models.Mlp));

    [Fact]
    public void Read_Float16WeightsAndInputs_FP16() => Assert.Equal(Precision.FP16, OnnxModelPrecision.Read(_models.MlpFp16));

    [Fact]
    public void Read_QdqQuantizedModel_INT8() =>
        Assert.Equal(Precision.INT8, OnnxModelPrecision.Read(Write("int8.onnx", QdqQuantizer.Quantize(TinyModels.Mlp(), new QuantizationOptions()))));

    [Fact]
    public void TryRead_MissingOrNotAModel_Null()
    {
        Assert.Null(OnnxModelPrecision.TryRead(Path.Combine(_models.Directory, "absent.onnx")));
        Assert.Null(OnnxModelPrecision.TryRead(Write("text.onnx", "not a model at all\n"u8.ToArray())));
    }

    [Fact]
    public void Expand_OnlyModelOfAnInt8File_RunsItAsInt8WithoutAnFp32Reference()
    {
        var int8 = Write("user.int8.onnx", QdqQuantizer.Quantize(TinyModels.Mlp(), new QuantizationOptions()));

        var (canaries, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "user", Model = int8 }, new CanaryOptions { Name = "declared", Model = int8, Precision = Precision.INT8 }]);

        Assert.Empty(errors);
        Assert.All(canaries, c =>
        {
            Assert.Equal(Precision.INT8, c.Precision);
            Assert.Equal(int8, c.Variants[Precision.INT8]);
            Assert.False(c.Variants.ContainsKey(Precision.FP32), "an INT8 file is not an FP32 reference");
        });
    }

    [Fact]
    public void Expand_Fp32FileAndAnInt8Variant_UnchangedFp32Reference()
    {
        var fp32 = _models.Mlp;
        var int8 = Write("m.int8.onnx", QdqQuantizer.Quantize(TinyModels.Mlp(), new QuantizationOptions()));

        var (canaries, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "m", Model = fp32, Precision = Precision.INT8, Variants = new() { [Precision.INT8] = int8 } }]);

        Assert.Empty(errors);
        var canary = Assert.Single(canaries);
        Assert.Equal(fp32, canary.Variants[Precision.FP32]);
        Assert.Equal(int8, canary.Variants[Precision.INT8]);
    }

    private string Write(string name, byte[] bytes) => _models.Write(name, bytes);
}
