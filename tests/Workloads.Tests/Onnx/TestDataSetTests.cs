using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using BenchDaemon.Workloads.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Tests.Onnx;

/// <summary>Test data sets beside a model, their values, and the comparison of outputs with them.</summary>
public sealed class TestDataSetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("benchdaemon-testdata-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Find_TakesTheLowestNumberedSetWithAnInput()
    {
        var model = Path.Combine(_dir, "model.onnx");
        Directory.CreateDirectory(Path.Combine(_dir, "test_data_set_0"));
        Write("test_data_set_2/input_0.pb");
        Write("test_data_set_10/input_0.pb");

        Assert.Equal(Path.Combine(_dir, "test_data_set_2"), TestDataSet.Find(model));
    }

    [Fact]
    public void Find_NoSet_IsNull() => Assert.Null(TestDataSet.Find(Path.Combine(_dir, "model.onnx")));

    [Fact]
    public void Load_MatchesByStoredNameBeforeNumber_AndReadsTypedFields()
    {
        using var session = new InferenceSession(TwoInputs());
        var set = Path.Combine(_dir, "set");

        // input_0 names the second input, in float_data rather than raw_data.
        var typed = new TensorProto { Name = "b", DataType = (int)OnnxElementType.Float };
        typed.Dims.Add(2);
        typed.FloatData.Add([1.5f, -2f]);
        File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(set).FullName, "input_0.pb"), typed.ToByteArray());
        OnnxTestData.Write(Path.Combine(set, "input_1.pb"), "a", OnnxTestTensor.Of<float>(OnnxElementType.Float, [2], [3f, 4f]));

        var data = TestDataSet.Load(set, session);

        Assert.Equal([3f, 4f], Floats(data.Inputs["a"]));
        Assert.Equal([1.5f, -2f], Floats(data.Inputs["b"]));
    }

    [Fact]
    public void Load_UnnamedFiles_GoByTheirNumber()
    {
        using var session = new InferenceSession(TwoInputs());
        var set = Path.Combine(_dir, "set");
        OnnxTestData.Write(Path.Combine(set, "input_0.pb"), "", OnnxTestTensor.Of<float>(OnnxElementType.Float, [2], [1f, 2f]));
        OnnxTestData.Write(Path.Combine(set, "input_1.pb"), "", OnnxTestTensor.Of<float>(OnnxElementType.Float, [2], [3f, 4f]));
        OnnxTestData.Write(Path.Combine(set, "output_0.pb"), "", OnnxTestTensor.Of<float>(OnnxElementType.Float, [2], [4f, 6f]));

        var data = TestDataSet.Load(set, session);

        Assert.Equal([1f, 2f], Floats(data.Inputs["a"]));
        Assert.Equal([3f, 4f], Floats(data.Inputs["b"]));
        Assert.Equal([4f, 6f], Floats(data.Outputs["y"]));
    }

    [Fact]
    public void Load_MissingInput_SaysWhich()
    {
        using var session = new InferenceSession(TwoInputs());
        var set = Path.Combine(_dir, "set");
        OnnxTestData.Write(Path.Combine(set, "input_0.pb"), "a", OnnxTestTensor.Of<float>(OnnxElementType.Float, [2], [1f, 2f]));

        var error = Assert.Throws<CanaryInputException>(() => TestDataSet.Load(set, session));

        Assert.Contains("no value for input 'b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotATensor_SaysWhichFile()
    {
        using var session = new InferenceSession(TwoInputs());
        var set = Path.Combine(_dir, "set");
        Directory.CreateDirectory(set);
        File.WriteAllBytes(Path.Combine(set, "input_0.pb"), [0xFF, 0xFF, 0xFF]);

        var error = Assert.Throws<CanaryInputException>(() => TestDataSet.Load(set, session));

        Assert.Contains("set/input_0.pb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_IsTheFirstDimensionOfInputsWithASymbolicBatch()
    {
        var set = Path.Combine(_dir, "set");
        OnnxTestData.Write(Path.Combine(set, "input_0.pb"), "x", OnnxTestTensor.Of<float>(OnnxElementType.Float, [3, 2], new float[6]));
        OnnxTestData.Write(Path.Combine(set, "input_1.pb"), "scales", OnnxTestTensor.Of<float>(OnnxElementType.Float, [4], new float[4]));
        IReadOnlyList<ModelInput> inputs = [new("x", [-1, 2], ["N", ""]), new("scales", [4], [""])];

        Assert.Equal(3, TestDataSet.Batch(set, inputs));
        Assert.Null(TestDataSet.Batch(set, [new("x", [3, 2], ["", ""]), new("scales", [4], [""])]));
    }

    [Fact]
    public void Compare_WithinToleranceAgrees_NaNAgreesOnlyWithNaN()
    {
        var expected = Data("y", [1f, 100f, float.NaN]);

        Assert.Null(OutputComparison.Compare(expected, Data("y", [1.00005f, 100.09f, float.NaN]), 1e-4, 1e-3, "set"));
        var nan = OutputComparison.Compare(expected, Data("y", [1f, 100f, 0f]), 1e-4, 1e-3, "set");
        Assert.Contains("1 of 3 elements outside the tolerance (1 NaN or infinite where the other is not)", nan, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_NamesTheWorstElementByItsIndex()
    {
        var expected = new Dictionary<string, OnnxData> { ["y"] = Tensor([2, 3], [0f, 1f, 2f, 3f, 4f, 5f]) };
        var actual = new Dictionary<string, OnnxData> { ["y"] = Tensor([2, 3], [0f, 1.01f, 2f, 3f, 4f, 7f]) };

        var reason = OutputComparison.Compare(expected, actual, 1e-4, 1e-3, "test_data_set_0");

        Assert.Contains("output 'y' differs from test_data_set_0: 2 of 6 elements outside the tolerance; worst [1, 2] = 7, expected 5", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_ShapeOrTypeOrMissingOutput_IsWrong()
    {
        var expected = new Dictionary<string, OnnxData> { ["y"] = Tensor([2], [1f, 2f]) };

        Assert.Contains("where tensor(Float)[2] was expected", OutputComparison.Compare(expected, new Dictionary<string, OnnxData> { ["y"] = Tensor([1, 2], [1f, 2f]) }, 0, 0, "s"), StringComparison.Ordinal);
        Assert.Contains("was not produced", OutputComparison.Compare(expected, new Dictionary<string, OnnxData>(), 0, 0, "s"), StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_IntegersAndSequencesMustBeEqual()
    {
        var ints = new TensorData(TensorElementType.Int64, [2], BitConverter.GetBytes(3L).Concat(BitConverter.GetBytes(4L)).ToArray(), null);
        var other = new TensorData(TensorElementType.Int64, [2], BitConverter.GetBytes(3L).Concat(BitConverter.GetBytes(5L)).ToArray(), null);
        var expected = new Dictionary<string, OnnxData> { ["s"] = new SequenceData([ints, ints]) };

        Assert.Null(OutputComparison.Compare(expected, new Dictionary<string, OnnxData> { ["s"] = new SequenceData([ints, ints]) }, 1, 1, "s"));
        Assert.Contains("sequence element 1: 1 of 2 elements", OutputComparison.Compare(expected, new Dictionary<string, OnnxData> { ["s"] = new SequenceData([ints, other]) }, 1, 1, "s"), StringComparison.Ordinal);
    }

    [Fact]
    public void OnnxData_RoundTripsASequenceThroughOnnxRuntime()
    {
        var sequence = new SequenceData([Tensor([2], [1f, 2f]), Tensor([1], [3f])]);

        using var value = sequence.ToOrtValue()!;

        Assert.Equal(OnnxValueType.ONNX_TYPE_SEQUENCE, value.OnnxType);
        Assert.Null(OutputComparison.Compare(
            new Dictionary<string, OnnxData> { ["s"] = sequence },
            new Dictionary<string, OnnxData> { ["s"] = OnnxData.FromOrtValue(value) },
            0,
            0,
            "s"));
    }

    private static byte[] TwoInputs() => new OnnxModelBuilder("two")
        .Input("a", OnnxElementType.Float, 2)
        .Input("b", OnnxElementType.Float, 2)
        .Output("y", OnnxElementType.Float, 2)
        .Node("Add", ["a", "b"], ["y"])
        .ToBytes();

    private static TensorData Tensor(long[] shape, float[] values) =>
        new(TensorElementType.Float, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), null);

    private static Dictionary<string, OnnxData> Data(string name, float[] values) => new() { [name] = Tensor([values.Length], values) };

    private static float[] Floats(OnnxData data) =>
        [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(((TensorData)data).Raw.AsSpan()).ToArray()];

    private void Write(string relative)
    {
        var path = Path.Combine(_dir, relative);
        OnnxTestData.Write(path, "x", OnnxTestTensor.Of<float>(OnnxElementType.Float, [1], [1f]));
    }
}
