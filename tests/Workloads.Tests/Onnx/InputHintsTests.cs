using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Tests.Onnx;

/// <summary>What the graph tells about the values its inputs must hold.</summary>
public sealed class InputHintsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("benchdaemon-hints-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void GatherIndices_AreWithinTheTableRows_ThroughACast()
    {
        var hints = For(new OnnxModelBuilder("g")
            .Initializer("table", [7, 4], new float[28])
            .Input("ids", OnnxElementType.Int32, "N", 5)
            .Output("y", OnnxElementType.Float, "N", 5, 4)
            .Node("Cast", ["ids"], ["ids64"], attributes: OnnxAttribute.ElementType("to", OnnxElementType.Int64))
            .Node("Gather", ["table", "ids64"], ["y"]), new() { ["ids"] = [2, 5] });

        var hint = hints["ids"];
        Assert.Equal(0, hint.Lower);
        Assert.Equal(7, hint.Upper);
        Assert.Null(hint.Value);
    }

    [Fact]
    public void SliceResizeReshape_GetValuesThatAreValid()
    {
        var hints = For(new OnnxModelBuilder("s", 13)
            .Input("x", OnnxElementType.Float, 2, 3, 4, 4)
            .Input("starts", OnnxElementType.Int64, 2)
            .Input("ends", OnnxElementType.Int64, 2)
            .Input("axes", OnnxElementType.Int64, 2)
            .Input("scales", OnnxElementType.Float, 4)
            .Input("shape", OnnxElementType.Int64, 2)
            .Output("r", OnnxElementType.Float, 2, 48)
            .Output("z", OnnxElementType.Float, 2, 3, 4, 4)
            .Node("Slice", ["x", "starts", "ends", "axes"], ["sliced"])
            .Node("Resize", ["sliced", "", "scales"], ["z"])
            .Node("Reshape", ["x", "shape"], ["r"]), new() { ["x"] = [2, 3, 4, 4], ["starts"] = [2], ["ends"] = [2], ["axes"] = [2], ["scales"] = [4], ["shape"] = [2] });

        Assert.Equal(0, hints["starts"].Value!(0, 2));
        Assert.True(hints["ends"].Value!(1, 2) >= int.MaxValue);
        Assert.Equal([0d, 1d], [hints["axes"].Value!(0, 2), hints["axes"].Value!(1, 2)]);
        Assert.Equal(1, hints["scales"].Value!(3, 4));

        // Two of four dimensions: keep the first, fold the rest.
        Assert.Equal([0d, -1d], [hints["shape"].Value!(0, 2), hints["shape"].Value!(1, 2)]);
    }

    [Fact]
    public void AnInputNoOperatorConstrains_HasNoHint()
    {
        var hints = For(new OnnxModelBuilder("r")
            .Input("x", OnnxElementType.Float, "N", 3)
            .Output("y", OnnxElementType.Float, "N", 3)
            .Node("Relu", ["x"], ["y"]), new() { ["x"] = [1, 3] });

        Assert.Empty(hints);
    }

    private Dictionary<string, InputHint> For(OnnxModelBuilder builder, Dictionary<string, long[]> shapes)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.onnx");
        builder.Save(path);
        return InputHints.For(path, shapes);
    }
}
