using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Workloads.Tests.Canaries;

/// <summary><c>TestData</c> and <c>Tolerance</c> in the configuration: found beside the model, checked, and their defaults.</summary>
public sealed class TestDataConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("benchdaemon-testdata-config-").FullName;
    private readonly string _model;
    private readonly string _data;

    public TestDataConfigurationTests()
    {
        _model = Path.Combine(_dir, "model.onnx");
        new OnnxModelBuilder("relu")
            .Input("x", OnnxElementType.Float, "N", 2)
            .Output("y", OnnxElementType.Float, "N", 2)
            .Node("Relu", ["x"], ["y"])
            .Save(_model);
        _data = Path.Combine(_dir, "test_data_set_0");
        OnnxTestData.Write(Path.Combine(_data, "input_0.pb"), "x", OnnxTestTensor.Of<float>(OnnxElementType.Float, [5, 2], new float[10]));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ASetBesideTheModel_IsUsed_AtItsBatch()
    {
        var canary = Single(new CanaryOptions { Name = "m", Model = _model });

        Assert.Equal(_data, canary.TestData);
        Assert.Equal([5], canary.BatchSizes);
    }

    [Fact]
    public void ConfiguredBatchSizes_AreKept()
    {
        var canary = Single(new CanaryOptions { Name = "m", Model = _model, BatchSizes = [1, 2] });

        Assert.Equal([1, 2], canary.BatchSizes);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    public void None_TurnsTheSetOff(string none)
    {
        var canary = Single(new CanaryOptions { Name = "m", Model = _model, TestData = none });

        Assert.Null(canary.TestData);
        Assert.Equal([1], canary.BatchSizes);
    }

    [Fact]
    public void InputFiles_WinOverTheSetBesideTheModel()
    {
        var canary = Single(new CanaryOptions { Name = "m", Model = _model, InputFiles = { ["x"] = Path.Combine(_dir, "x.npy") } });

        Assert.Null(canary.TestData);
    }

    [Theory]
    [InlineData("missing", "is not a directory")]
    [InlineData("empty", "holds no input_0.pb")]
    public void AConfiguredSetThatIsNotOne_IsAConfigurationError(string folder, string problem)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));

        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "m", Model = _model, TestData = Path.Combine(_dir, folder) }]);

        var (key, message) = Assert.Single(errors);
        Assert.Equal("Canaries:0:TestData", key);
        Assert.Contains(problem, message, StringComparison.Ordinal);
    }

    [Fact]
    public void TestDataWithInputFiles_IsAConfigurationError()
    {
        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "m", Model = _model, TestData = _data, InputFiles = { ["x"] = "/x.npy" } }]);

        Assert.Contains(errors, e => e.Key == "Canaries:0:TestData" && e.Problem.Contains("not two of them", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnreadableSet_IsAConfigurationErrorNamingIt()
    {
        File.WriteAllBytes(Path.Combine(_data, "input_0.pb"), [0xFF, 0xFF]);

        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "m", Model = _model }]);

        var (key, message) = Assert.Single(errors);
        Assert.Equal("Canaries:0:TestData", key);
        Assert.Contains("input_0.pb", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tolerance_DefaultsByPrecisionAndProvider_AndTakesTheConfiguredParts()
    {
        Assert.Equal(new Tolerance(1e-4, 1e-3), Single(new CanaryOptions { Name = "m", Model = _model }).Tolerance);
        Assert.Equal(new Tolerance(1e-3, 1e-2), Single(new CanaryOptions { Name = "m", Model = _model, Provider = "CUDA" }).Tolerance);
        Assert.Equal(new Tolerance(0.5, 1e-3), Single(new CanaryOptions { Name = "m", Model = _model, Tolerance = new ToleranceOptions { Absolute = 0.5 } }).Tolerance);
    }

    [Theory]
    [InlineData(-1.0, "Canaries:0:Tolerance:Absolute")]
    [InlineData(double.NaN, "Canaries:0:Tolerance:Absolute")]
    public void ANegativeOrNaNTolerance_IsAConfigurationError(double value, string key)
    {
        var (_, errors) = CanaryExpander.Expand([new CanaryOptions { Name = "m", Model = _model, Tolerance = new ToleranceOptions { Absolute = value } }]);

        Assert.Contains(errors, e => e.Key == key);
    }

    private static CanaryDefinition Single(CanaryOptions options)
    {
        var (canaries, errors) = CanaryExpander.Expand([options]);
        Assert.Empty(errors);
        return Assert.Single(canaries);
    }
}
