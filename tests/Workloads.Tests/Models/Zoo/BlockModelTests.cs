using BenchDaemon.Workloads.Models.Zoo;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Tests.Models.Zoo;

public sealed class BlockModelTests
{
    [Theory]
    [InlineData("conv-w64-d3", BlockKind.Conv, 64, 3, BlockConfig.DefaultImageSize)]
    [InlineData("conv-w96-d6-s244", BlockKind.Conv, 96, 6, 244)]
    [InlineData("mha-e256-d1", BlockKind.Attention, 256, 1, 0)]
    public void TryParse_BlockNames_GiveTheirConfig(string name, BlockKind kind, int width, int depth, int size)
    {
        var config = BlockConfig.TryParse(name);

        Assert.Equal(new BlockConfig(kind, width, depth, size), config);
        Assert.Equal(name, config!.Name);
    }

    [Theory]
    [InlineData("conv-w64-d0", "depth 0")]
    [InlineData("mha-e100-d2", "multiple of 64")]
    [InlineData("mha-e128-d2-s32", "no -s size")]
    [InlineData("conv-w2000-d1", "width 2000")]
    public void TryParse_OutOfRange_SaysWhy(string name, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => BlockConfig.TryParse(name));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Null(ModelZoo.TryGet(name));
    }

    [Fact]
    public void TryParse_OtherNames_AreNotBlocks()
    {
        Assert.Null(BlockConfig.TryParse("resnet50"));
        Assert.Null(BlockConfig.TryParse("conv-e64-d1"));
    }

    [Theory]
    [InlineData(BlockKind.Conv, 64, 37_056)]
    [InlineData(BlockKind.Conv, 96, 83_232)]
    [InlineData(BlockKind.Conv, 128, 147_840)]
    [InlineData(BlockKind.Conv, 256, 590_592)]
    [InlineData(BlockKind.Attention, 128, 66_048)]
    [InlineData(BlockKind.Attention, 256, 263_168)]
    [InlineData(BlockKind.Attention, 384, 591_360)]
    [InlineData(BlockKind.Attention, 512, 1_050_624)]
    public void ParametersPerBlock_MatchTheGraphCompilerStudy(BlockKind kind, int width, long expected)
    {
        Assert.Equal(expected, BlockModel.ParametersPerBlock(new BlockConfig(kind, width, 1, kind == BlockKind.Conv ? 56 : 0)));
    }

    [Theory]
    [InlineData("conv-w8-d2-s16", false, new long[] { 3, 3, 16, 16 }, new long[] { 3, 8 })]
    [InlineData("conv-w8-d3-s16", true, new long[] { 2, 3, 16, 16 }, new long[] { 2, 8 })]
    [InlineData("mha-e64-d2", false, new long[] { 3, 10, 64 }, new long[] { 3, 10, 64 })]
    [InlineData("mha-e128-d3", true, new long[] { 2, 10, 128 }, new long[] { 2, 10, 128 })]
    public void Build_RunsInOnnxRuntime_WithFiniteOutputOfTheDocumentedShape(string name, bool float16, long[] inputShape, long[] outputShape)
    {
        var config = BlockConfig.TryParse(name)!;
        using var session = new InferenceSession(BlockModel.Build(config, float16));
        var count = (int)inputShape.Aggregate(1L, (a, b) => a * b);
        var data = Enumerable.Range(0, count).Select(i => (float)Math.Sin(i)).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(data, inputShape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [BlockModel.InputName], [input], [BlockModel.OutputName]);

        Assert.Equal(outputShape, outputs[0].GetTensorTypeAndShape().Shape);
        var values = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(values, v => v != 0);
        Assert.Equal(TensorElementType.Float, outputs[0].GetTensorTypeAndShape().ElementDataType);
    }

    [Theory]
    [InlineData("conv-w64-d3", false)]
    [InlineData("conv-w32-d2-s16", true)]
    [InlineData("mha-e128-d2", false)]
    [InlineData("mha-e64-d3", true)]
    public void Write_StreamsTheBytesOfBuild(string name, bool float16)
    {
        var config = BlockConfig.TryParse(name)!;

        StreamedModel.AssertWritesTheBytesOf(
            BlockModel.Build(config, float16),
            (stream, scratch) => BlockModel.Write(config, stream, scratch, float16));
    }

    [Fact]
    public void ModelZoo_BlockName_IsABuiltinModelWithItsParameters()
    {
        var info = ModelZoo.TryGet("conv-w64-d3");

        Assert.NotNull(info);
        Assert.Equal(ModelZoo.BlockFamily, info.Family);
        Assert.Equal((27L * 64) + (3 * 37_056), info.Parameters);
        Assert.Equal(56, info.Dimensions["image"]);
        Assert.Contains("conv-w{width}-d{depth}", ModelZoo.KnownNames, StringComparison.Ordinal);
    }
}
