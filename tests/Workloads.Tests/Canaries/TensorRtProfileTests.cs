using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class TensorRtProfileTests
{
    private static readonly ModelInput[] s_bert =
    [
        new("input_ids", [-1, -1], ["batch", "sequence"]),
        new("attention_mask", [-1, -1], ["batch", "sequence"]),
        new("position_table", [512, 768], ["", ""]),
    ];

    [Fact]
    public void For_BatchesOneToEight_EveryDynamicInputFromSmallestToLargestTunedForLargest()
    {
        var profile = TensorRtProfile.For(s_bert, [8, 1, 4], new Dictionary<string, long> { ["sequence"] = 128 })!;

        Assert.Equal("input_ids:1x128,attention_mask:1x128", profile.MinShapes);
        Assert.Equal("input_ids:8x128,attention_mask:8x128", profile.OptShapes);
        Assert.Equal("input_ids:8x128,attention_mask:8x128", profile.MaxShapes);
    }

    [Fact]
    public void For_ImageModel_FixedDimensionsKept()
    {
        var profile = TensorRtProfile.For([new ModelInput("input", [-1, 3, 224, 224], ["batch", "", "", ""])], [1], new Dictionary<string, long>())!;

        Assert.Equal("input:1x3x224x224", profile.MinShapes);
        Assert.Equal(profile.MinShapes, profile.MaxShapes);
    }

    [Fact]
    public void For_NoDynamicInput_NoProfile() =>
        Assert.Null(TensorRtProfile.For([new ModelInput("x", [1, 16], ["", ""])], [1], new Dictionary<string, long>()));

    [Fact]
    public void For_SymbolWithoutValue_SaysWhichInputsKeyToSet()
    {
        var ex = Assert.Throws<CanaryInputException>(() => TensorRtProfile.For(s_bert, [1], new Dictionary<string, long>()));

        Assert.Contains("set Inputs:sequence", ex.Message, StringComparison.Ordinal);
    }
}
