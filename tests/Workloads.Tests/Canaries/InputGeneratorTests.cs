using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class InputGeneratorTests : IClassFixture<ModelFiles>
{
    private readonly ModelFiles _models;

    public InputGeneratorTests(ModelFiles models)
    {
        _models = models;
    }

    [Fact]
    public void Create_TokenInputs_FollowBertConventions()
    {
        using var session = new InferenceSession(_models.Tokens);
        var dims = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase) { ["sequence"] = 12, ["vocab"] = 50 };

        var shapes = InputGenerator.Shapes(session.InputMetadata, 3, dims);
        var values = InputGenerator.Create(session.InputMetadata, shapes, dims, seed: 1);
        try
        {
            Assert.Equal([3L, 12L], shapes["input_ids"]);
            var ids = values["input_ids"].GetTensorDataAsSpan<long>().ToArray();
            Assert.All(ids, id => Assert.InRange(id, 0, 49));
            Assert.True(ids.Distinct().Count() > 10, "ids should vary");
            Assert.All(values["attention_mask"].GetTensorDataAsSpan<long>().ToArray(), m => Assert.Equal(1, m));
            Assert.All(values["token_type_ids"].GetTensorDataAsSpan<long>().ToArray(), t => Assert.Equal(0, t));
        }
        finally
        {
            foreach (var value in values.Values)
            {
                value.Dispose();
            }
        }
    }

    [Fact]
    public void Shapes_TheBatchSymbolElsewhere_TakesTheBatch()
    {
        // b's first dimension K is its batch; a's K must agree, or the product cannot run.
        var bytes = new BenchDaemon.Workloads.Models.Graph.OnnxModelBuilder("mm")
            .Input("a", BenchDaemon.Workloads.Models.Graph.OnnxElementType.Float, 2, "K")
            .Input("b", BenchDaemon.Workloads.Models.Graph.OnnxElementType.Float, "K", "K")
            .Output("y", BenchDaemon.Workloads.Models.Graph.OnnxElementType.Float, 2, "K")
            .Node("MatMul", ["a", "b"], ["y"])
            .ToBytes();
        using var session = new InferenceSession(bytes);

        var shapes = InputGenerator.Shapes(session.InputMetadata, 3, new Dictionary<string, long>());

        Assert.Equal([2L, 3L], shapes["a"]);
        Assert.Equal([3L, 3L], shapes["b"]);
    }

    [Fact]
    public void Create_SequenceAndMapInputs_AreGeneratedAndRun()
    {
        var bytes = new BenchDaemon.Workloads.Models.Graph.OnnxModelBuilder("seq-map")
            .Opset("ai.onnx.ml", 3)
            .Input("parts", BenchDaemon.Workloads.Models.Graph.OnnxType.Sequence(BenchDaemon.Workloads.Models.Graph.OnnxType.Tensor(BenchDaemon.Workloads.Models.Graph.OnnxElementType.Float, "N", 3)))
            .Input("counts", BenchDaemon.Workloads.Models.Graph.OnnxType.Map(BenchDaemon.Workloads.Models.Graph.OnnxElementType.Int64, BenchDaemon.Workloads.Models.Graph.OnnxType.TensorOfAnyShape(BenchDaemon.Workloads.Models.Graph.OnnxElementType.Float)))
            .Output("joined", BenchDaemon.Workloads.Models.Graph.OnnxElementType.Float, "M", 3)
            .Output("vector", BenchDaemon.Workloads.Models.Graph.OnnxElementType.Float, 1, 4)
            .Node("ConcatFromSequence", ["parts"], ["joined"], attributes: BenchDaemon.Workloads.Models.Graph.OnnxAttribute.Int("axis", 0))
            .Node("DictVectorizer", ["counts"], ["vector"], domain: "ai.onnx.ml", attributes: BenchDaemon.Workloads.Models.Graph.OnnxAttribute.Ints("int64_vocabulary", 0, 1, 2, 3))
            .ToBytes();
        using var session = new InferenceSession(bytes);

        var shapes = InputGenerator.Shapes(session.InputMetadata, 2, new Dictionary<string, long>());
        var values = InputGenerator.Create(session.InputMetadata, shapes, new Dictionary<string, long>(), seed: 1);
        try
        {
            using var results = session.Run(new RunOptions(), [.. values.Keys], [.. values.Values], ["joined", "vector"]);

            Assert.Equal([2L * InputGenerator.SequenceLength, 3L], results[0].GetTensorTypeAndShape().Shape);
            Assert.Equal([1L, InputGenerator.MapEntries], results[1].GetTensorTypeAndShape().Shape);
        }
        finally
        {
            foreach (var value in values.Values)
            {
                value.Dispose();
            }
        }
    }

    [Fact]
    public void Create_SameSeed_SameData_OtherSeed_OtherData()
    {
        using var session = new InferenceSession(_models.Mlp);
        var shapes = InputGenerator.Shapes(session.InputMetadata, 2, new Dictionary<string, long>());

        float[] Data(int seed)
        {
            var values = InputGenerator.Create(session.InputMetadata, shapes, new Dictionary<string, long>(), seed);
            using var input = values["input"];
            return input.GetTensorDataAsSpan<float>().ToArray();
        }

        var a = Data(1);
        Assert.Equal(a, Data(1));
        Assert.NotEqual(a, Data(2));
        Assert.All(a, v => Assert.InRange(v, -1f, 1f));
    }

    [Fact]
    public void Shapes_FixedFirstDimensions_KeptAsDeclaredTheBatchGoesToSymbolicOnes()
    {
        var path = _models.Write("mixed.onnx", new OnnxModelBuilder("mixed")
            .Input("x", OnnxElementType.Float, 3, 4, 5)
            .Input("scales", OnnxElementType.Float, 4)
            .Input("tokens", OnnxElementType.Int64, OnnxDim.Symbolic("batch"), 6)
            .Output("y", OnnxElementType.Float, 3, 4, 5)
            .Node("Identity", ["x"], ["y"])
            .ToBytes());
        using var session = new InferenceSession(path);

        var shapes = InputGenerator.Shapes(session.InputMetadata, 8, new Dictionary<string, long>());

        Assert.Equal([3L, 4, 5], shapes["x"]);
        Assert.Equal([4L], shapes["scales"]);
        Assert.Equal([8L, 6], shapes["tokens"]);
    }
}
