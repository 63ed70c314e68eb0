using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Workloads.Tests.Canaries;

/// <summary>Models with fixed first dimensions: they run at their own shapes; BatchSizes they cannot take are refused when the configuration is checked.</summary>
public sealed class FixedShapeTests : IDisposable
{
    private readonly ModelFiles _models = new();

    public void Dispose() => _models.Dispose();

    [Fact]
    public void Expand_FixedShapeModelWithBatchSizes_RefusedNamingTheKeyAndTheShape()
    {
        var model = Write("fixed.onnx", 3, 4, 5);

        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "f", Model = model, BatchSizes = [1, 8] }]);

        var (key, problem) = Assert.Single(errors);
        Assert.Equal("Canaries:0:BatchSizes", key);
        Assert.Contains("no input of fixed.onnx has a symbolic first dimension (x [3, 4, 5])", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_FixedShapeModel_WithoutBatchSizesOrWithItsOwnSize_Accepted()
    {
        var model = Write("fixed.onnx", 3, 4, 5);

        var (canaries, errors) = CanaryExpander.Expand(
        [
            new CanaryOptions { Name = "own", Model = model },
            new CanaryOptions { Name = "same", Model = model, BatchSizes = [3] },
        ]);

        Assert.Empty(errors);
        Assert.Equal(2, canaries.Count);
    }

    [Fact]
    public void Expand_SymbolicBatchBesideAFixedInput_AnyBatchSizes()
    {
        var path = _models.Write("resize.onnx", new OnnxModelBuilder("resize")
            .Input("x", OnnxElementType.Float, OnnxDim.Symbolic("batch"), 3, 8, 8)
            .Input("scales", OnnxElementType.Float, 4)
            .Output("y", OnnxElementType.Float, OnnxDim.Symbolic("batch"), 3, 8, 8)
            .Node("Identity", ["x"], ["y"])
            .ToBytes());

        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "r", Model = path, BatchSizes = [1, 8] }]);

        Assert.Empty(errors);
    }

    private string Write(string name, params long[] dims)
    {
        var shape = dims.Select(d => (OnnxDim)d).ToArray();
        return _models.Write(name, new OnnxModelBuilder("fixed").Input("x", OnnxElementType.Float, shape).Output("y", OnnxElementType.Float, shape).Node("Identity", ["x"], ["y"]).ToBytes());
    }
}
