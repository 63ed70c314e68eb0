using System.Text.Json;
using BenchDaemon.Cli;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Tests.Cli;

/// <summary>
/// Models users bring, run with <c>benchdaemon once</c> and nothing configured but <c>Model</c>
/// (issue G4): inputs that index or size something, sequences and optionals, and test data sets
/// whose expected outputs every run is checked against.
/// </summary>
public sealed class UserModelTests : IDisposable
{
    private const string Quick = """{ "MinIterations": 20, "MinDuration": "00:00:00.050", "Budget": "00:00:20", "WarmupMaxDuration": "00:00:01" }""";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Once_OnlyModelOfAResizeWithAScalesInput_Runs()
    {
        // scales is a 1-D input with no batch axis; random values in [-1, 1) make Resize refuse the call.
        var model = Save("resize", new OnnxModelBuilder("resize", 13)
            .Input("x", OnnxElementType.Float, "N", 3, 4, 4)
            .Input("scales", OnnxElementType.Float, 4)
            .Output("y", OnnxElementType.Float, "N", 3, "H", "W")
            .Node("Resize", ["x", "", "scales"], ["y"], attributes: OnnxAttribute.String("mode", "nearest")));

        var result = await RunOnlyModelAsync(model);

        AssertRan(result);
    }

    [Fact]
    public async Task Once_OnlyModelOfAGatherWithInt64Indices_IndicesStayWithinTheTable()
    {
        // A 10-row table: token ids up to the default vocabulary (100) would be out of range.
        var table = Enumerable.Range(0, 40).Select(i => i * 0.25f).ToArray();
        var model = Save("gather", new OnnxModelBuilder("gather")
            .Initializer("table", [10, 4], table)
            .Input("ids", OnnxElementType.Int64, "N", 6)
            .Output("y", OnnxElementType.Float, "N", 6, 4)
            .Node("Gather", ["table", "ids"], ["y"], attributes: OnnxAttribute.Int("axis", 0)));

        var result = await RunOnlyModelAsync(model);

        AssertRan(result);
    }

    [Fact]
    public async Task Once_OnlyModelOfAnIfReturningAnOptionalSequence_RunsWhenTheOptionalIsEmpty()
    {
        // Generated booleans are true: the then-branch runs and returns an empty optional.
        var element = OnnxType.Tensor(OnnxElementType.Float, "N", 3);
        var optional = OnnxType.Optional(OnnxType.Sequence(element));
        var then = OnnxModelBuilder.Subgraph("then", "x")
            .Node("Optional", [], ["none"], attributes: OnnxAttribute.Type("type", OnnxType.Sequence(element)))
            .Output("none", optional);
        var otherwise = OnnxModelBuilder.Subgraph("else", "x")
            .Node("SequenceConstruct", ["x"], ["seq"])
            .Node("Optional", ["seq"], ["some"])
            .Output("some", optional);
        var model = Save("if-optional", new OnnxModelBuilder("if-optional", 18)
            .Input("cond", OnnxElementType.Bool)
            .Input("x", OnnxElementType.Float, "N", 3)
            .Output("out", optional)
            .Node("If", ["cond"], ["out"], attributes: [OnnxAttribute.Graph("then_branch", then), OnnxAttribute.Graph("else_branch", otherwise)]));

        var result = await RunOnlyModelAsync(model);

        AssertRan(result);
    }

    [Fact]
    public async Task Once_OnlyModelOfASequenceInput_Runs()
    {
        var model = Save("sequence-in", new OnnxModelBuilder("sequence-in", 17)
            .Input("parts", OnnxType.Sequence(OnnxType.Tensor(OnnxElementType.Float, "N", 3)))
            .Output("joined", OnnxElementType.Float, "M", 3)
            .Node("ConcatFromSequence", ["parts"], ["joined"], attributes: OnnxAttribute.Int("axis", 0)));

        var result = await RunOnlyModelAsync(model);

        AssertRan(result);
    }

    [Fact]
    public async Task Once_OnlyModelWithATestDataSet_UsesItsInputsAtItsBatchAndChecksItsOutputs()
    {
        // The expected outputs hold only for the set's inputs: generated data would fail the check.
        var model = AffineWithTestData(out _);

        var result = await RunOnlyModelAsync(model);

        AssertRan(result);
        Assert.Equal(3, result.GetProperty("batch").GetInt32());
        Assert.EndsWith("test_data_set_0", result.GetProperty("testData").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, result.GetProperty("outputsChecked").GetInt32());
    }

    [Fact]
    public async Task Once_ExpectedOutputAlteredByOneElement_FailsAsWrongResultNamingTheElement()
    {
        var model = AffineWithTestData(out var data);
        var expected = Affine(Inputs());
        expected[7] += 0.5f;
        OnnxTestData.Write(Path.Combine(data, "output_0.pb"), "y", OnnxTestTensor.Of<float>(OnnxElementType.Float, [3, 4], expected));

        var result = await RunOnlyModelAsync(model, expectFailure: true);

        Assert.Equal("failed", result.GetProperty("status").GetString());
        Assert.Equal("wrong_result", result.GetProperty("reasonCode").GetString());
        var reason = result.GetProperty("reason").GetString();
        Assert.Contains("output 'y' differs from test_data_set_0", reason, StringComparison.Ordinal);
        Assert.Contains("1 of 12 elements", reason, StringComparison.Ordinal);
        Assert.Contains("[1, 3]", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_TestDataOfTheWrongType_FailsAsInputErrorNamingBoth()
    {
        var model = AffineWithTestData(out var data);
        OnnxTestData.Write(Path.Combine(data, "input_0.pb"), "x", OnnxTestTensor.Of<long>(OnnxElementType.Int64, [3, 4], new long[12]));

        var result = await RunOnlyModelAsync(model, expectFailure: true);

        Assert.Equal("input_error", result.GetProperty("reasonCode").GetString());
        Assert.Contains("input 'x' holds tensor(Int64)[3, 4] but the model's input is a tensor of Float", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_TestDataNone_IgnoresTheSetBesideTheModel()
    {
        var model = AffineWithTestData(out var data);
        OnnxTestData.Write(Path.Combine(data, "output_0.pb"), "y", OnnxTestTensor.Of<float>(OnnxElementType.Float, [3, 4], new float[12]));

        var result = await RunOnlyModelAsync(model, extra: """, "TestData": "none" """);

        AssertRan(result);
        Assert.Equal(1, result.GetProperty("batch").GetInt32());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("testData").ValueKind);
    }

    [Fact]
    public async Task Once_SequenceOutputWithExpectedValues_HoldsOneCallsValuesNotEveryCalls()
    {
        // A sequence output bound once would grow by two tensors at every call of the window.
        var model = Save("sequence-out", new OnnxModelBuilder("sequence-out")
            .Input("x", OnnxElementType.Float, "N", 4)
            .Output("s", OnnxType.Sequence(OnnxType.Tensor(OnnxElementType.Float, "N", 4)))
            .Node("SequenceConstruct", ["x", "x"], ["s"]));
        var data = Path.Combine(Path.GetDirectoryName(model)!, "test_data_set_0");
        var x = Inputs();
        var tensor = OnnxTestTensor.Of<float>(OnnxElementType.Float, [3, 4], x);
        OnnxTestData.Write(Path.Combine(data, "input_0.pb"), "x", tensor);
        OnnxTestData.WriteSequence(Path.Combine(data, "output_0.pb"), "s", [tensor, tensor]);

        var result = await RunOnlyModelAsync(model);

        AssertRan(result);
    }

    [Fact]
    public async Task Once_AnOutputThatIsAnInput_IsComparedWithWhatWasFed()
    {
        var model = Save("pass-through", new OnnxModelBuilder("pass-through")
            .Input("x", OnnxElementType.Float, "N", 4)
            .Output("y", OnnxElementType.Float, "N", 4)
            .Output("x", OnnxElementType.Float, "N", 4)
            .Node("Relu", ["x"], ["y"]));
        var data = Path.Combine(Path.GetDirectoryName(model)!, "test_data_set_0");
        var x = Inputs();
        OnnxTestData.Write(Path.Combine(data, "input_0.pb"), "x", OnnxTestTensor.Of<float>(OnnxElementType.Float, [3, 4], x));
        OnnxTestData.Write(Path.Combine(data, "output_0.pb"), "y", OnnxTestTensor.Of<float>(OnnxElementType.Float, [3, 4], [.. x.Select(v => Math.Max(v, 0))]));
        OnnxTestData.Write(Path.Combine(data, "output_1.pb"), "x", OnnxTestTensor.Of<float>(OnnxElementType.Float, [3, 4], x));

        var result = await RunOnlyModelAsync(model);

        AssertRan(result);
    }

    private static float[] Inputs() => [.. Enumerable.Range(0, 12).Select(i => (i - 5) * 0.5f)];

    private static float[] Affine(float[] x) => [.. x.Select(v => (v * 2) + 1)];

    // y = 2x + 1 over [N, 4], with a test data set of batch 3 and its exact outputs.
    private string AffineWithTestData(out string data)
    {
        var model = Save("affine", new OnnxModelBuilder("affine")
            .Initializer("two", [1], [2f])
            .Initializer("one", [1], [1f])
            .Input("x", OnnxElementType.Float, "N", 4)
            .Output("y", OnnxElementType.Float, "N", 4)
            .Node("Mul", ["x", "two"], ["doubled"])
            .Node("Add", ["doubled", "one"], ["y"]));
        data = Path.Combine(Path.GetDirectoryName(model)!, "test_data_set_0");
        var x = Inputs();
        OnnxTestData.Write(Path.Combine(data, "input_0.pb"), "x", OnnxTestTensor.Of<float>(OnnxElementType.Float, [3, 4], x));
        OnnxTestData.Write(Path.Combine(data, "output_0.pb"), "y", OnnxTestTensor.Of<float>(OnnxElementType.Float, [3, 4], Affine(x)));
        return model;
    }

    private static void AssertRan(JsonElement result) =>
        Assert.True(
            result.GetProperty("status").GetString() is "ok" or "unstable",
            $"{result.GetProperty("status").GetString()}: {result.GetProperty("reasonCode")} {result.GetProperty("reason")}");

    // Each model in its own folder, as users keep them (a test data set lies beside it).
    private string Save(string name, OnnxModelBuilder builder)
    {
        var folder = Path.Combine(_temp.Path, name);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "model.onnx");
        builder.Save(path);
        return path;
    }

    private async Task<JsonElement> RunOnlyModelAsync(string model, bool expectFailure = false, string extra = "")
    {
        var config = _temp.File($"config-{Guid.NewGuid():N}.json", $$"""{ "Canaries": [ { "Name": "user", "Model": "{{model}}", "Threads": 1, "Measure": {{Quick}} {{extra}} } ] }""");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BenchDaemonCli.InvokeAsync(["once", "--json", "--config", config, "--set", $"State:Directory={_temp.Path}"], output, error);
        Assert.True(exitCode == (expectFailure ? ExitCodes.CanaryFailed : 0), $"exit {exitCode}: {error}\n{output}");
        using var json = JsonDocument.Parse(output.ToString());
        return Assert.Single(json.RootElement.EnumerateArray().ToList()).Clone();
    }
}
