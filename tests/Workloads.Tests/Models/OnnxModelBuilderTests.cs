using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Models;

public sealed class OnnxModelBuilderTests
{
    [Fact]
    public void ToBytes_SameCallsTwice_GivesIdenticalBytes()
    {
        Assert.Equal(Sample().ToBytes(), Sample().ToBytes());
    }

    [Fact]
    public void ToBytes_CalledTwiceOnOneBuilder_GivesIdenticalBytes()
    {
        var builder = Sample();

        Assert.Equal(builder.ToBytes(), builder.ToBytes());
    }

    [Fact]
    public void ToBytes_Sample_WritesOnnxHeaderFields()
    {
        var model = ModelProto.Parser.ParseFrom(Sample().Metadata("purpose", "test").ToBytes());

        Assert.Equal(8, model.IrVersion);
        Assert.Equal("benchdaemon", model.ProducerName);
        Assert.Equal(string.Empty, model.ProducerVersion);
        Assert.Equal("sample", model.Graph.Name);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal((string.Empty, 17L), (opset.Domain, opset.Version));
        var dims = model.Graph.Input[0].Type.TensorType.Shape.Dim;
        Assert.Equal(("batch", 3L), (dims[0].DimParam, dims[1].DimValue));
    }

    [Fact]
    public void ParameterCount_AfterInitializers_IsSumOfElementCounts()
    {
        var builder = new OnnxModelBuilder("params")
            .Initializer("a", [2, 3], new float[6])
            .Initializer("b", [4], new long[4])
            .Initializer("scalar", [], [1f])
            .Initializer("empty", [0, 5], ReadOnlySpan<byte>.Empty);

        Assert.Equal(6 + 4 + 1 + 0, builder.ParameterCount);
    }

    [Fact]
    public void CountParameters_BuiltModel_EqualsBuilderParameterCount()
    {
        var builder = Sample();

        Assert.Equal(builder.ParameterCount, OnnxModelBuilder.CountParameters(builder.ToBytes()));
    }

    [Fact]
    public void Initializer_EachElementType_OrtReadsTheSameValues()
    {
        // Every initializer type goes through Cast to FLOAT, so ORT's reading of the raw
        // little-endian bytes comes back as floats that can be compared.
        var builder = new OnnxModelBuilder("types")
            .Initializer("f32", [2], [1.5f, -2.25f])
            .Initializer("f16", [2], [(Half)1.5f, (Half)(-2.25f)])
            .Initializer("f64", [2], [1.5, -2.25])
            .Initializer("i64", [2], [3L, -40_000_000_000L])
            .Initializer("i32", [2], [3, -70_000])
            .Initializer("i8", [2], [(sbyte)3, (sbyte)-128])
            .Initializer("u8", [2], [(byte)3, (byte)255]);
        string[] names = ["f32", "f16", "f64", "i64", "i32", "i8", "u8"];
        foreach (var name in names)
        {
            builder.Node("Cast", [name], [name + ".float"], attributes: OnnxAttribute.ElementType("to", OnnxElementType.Float));
        }

        builder.Node("Concat", names.Select(n => n + ".float").ToArray(), ["all"], attributes: OnnxAttribute.Int("axis", 0))
            .Output("all", OnnxElementType.Float, 14);

        var (values, _) = OrtHarness.Run(builder.ToBytes());

        Assert.Equal([1.5f, -2.25f, 1.5f, -2.25f, 1.5f, -2.25f, 3f, -40_000_000_000f, 3f, -70_000f, 3f, -128f, 3f, 255f], values);
    }

    [Fact]
    public void Attributes_EachKind_ReachTheRuntime()
    {
        // Constant(value tensor), Transpose(perm ints), LeakyRelu(alpha float), Cast(to int) and
        // Pad(mode string) each change the result, so a dropped or mangled attribute shows.
        var model = new OnnxModelBuilder("attributes")
            .Input("x", OnnxElementType.Float, 2, 3)
            .Output("y", OnnxElementType.Float, 3, 4)
            .Node("Constant", [], ["pads"], attributes: OnnxAttribute.Tensor("value", [4], [0L, 1L, 0L, 1L]))
            .Node("Transpose", ["x"], ["t"], attributes: OnnxAttribute.Ints("perm", 1, 0))
            .Node("LeakyRelu", ["t"], ["l"], attributes: OnnxAttribute.Float("alpha", 0.5f))
            .Node("Cast", ["l"], ["h"], attributes: OnnxAttribute.ElementType("to", OnnxElementType.Float16))
            .Node("Cast", ["h"], ["c"], attributes: OnnxAttribute.ElementType("to", OnnxElementType.Float))
            .Node("Pad", ["c", "pads"], ["y"], attributes: OnnxAttribute.String("mode", "edge"))
            .ToBytes();

        var (y, shape) = OrtHarness.Run(model, ("x", OrtHarness.Floats([1f, -2f, 3f, -4f, 5f, -6f], 2, 3)));

        Assert.Equal([3, 4], shape);
        Assert.Equal([1f, 1f, -2f, -2f, -1f, -1f, 5f, 5f, 3f, 3f, -3f, -3f], y);
    }

    [Fact]
    public void Opset_ComMicrosoftDomain_RunsContribOperator()
    {
        var model = new OnnxModelBuilder("contrib")
            .Opset("com.microsoft", 1)
            .Input("x", OnnxElementType.Float, "n")
            .Output("y", OnnxElementType.Float, "n")
            .Node("Gelu", ["x"], ["y"], domain: "com.microsoft")
            .ToBytes();

        var (y, _) = OrtHarness.Run(model, ("x", OrtHarness.Floats([0f, 1f], 2)));

        Assert.Equal(0f, y[0]);
        Assert.Equal(0.8413f, y[1], 0.0001f);
    }

    [Fact]
    public void Input_SymbolicAndFixedDims_AreWhatTheRuntimeReports()
    {
        using var session = new InferenceSession(Sample().ToBytes());

        var input = session.InputMetadata["x"];
        Assert.Equal([-1, 3], input.Dimensions);
        Assert.Equal(["batch", ""], input.SymbolicDimensions);
    }

    [Fact]
    public void Metadata_SameKeyTwice_RuntimeSeesLastValue()
    {
        var model = Sample().Metadata("owner", "first").Metadata("owner", "second").ToBytes();

        using var session = new InferenceSession(model);

        Assert.Equal("second", session.ModelMetadata.CustomMetadataMap["owner"]);
        Assert.Equal("benchdaemon", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void Node_InputNotYetDefined_Throws()
    {
        var builder = new OnnxModelBuilder("g").Input("x", OnnxElementType.Float, 1);

        var ex = Assert.Throws<ArgumentException>(() => builder.Node("Add", ["x", "later"], ["y"]));
        Assert.Contains("'later'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_OutputNameAlreadyDefined_Throws()
    {
        var builder = new OnnxModelBuilder("g").Input("x", OnnxElementType.Float, 1);

        Assert.Throws<ArgumentException>(() => builder.Node("Relu", ["x"], ["x"]));
    }

    [Fact]
    public void Node_EmptyInputName_IsAnOmittedOptionalInput()
    {
        var model = new OnnxModelBuilder("g")
            .Input("x", OnnxElementType.Float, 3)
            .Output("y", OnnxElementType.Float, 3)
            .Initializer("max", [], [0.5f])
            .Node("Clip", ["x", "", "max"], ["y"])
            .ToBytes();

        var (y, _) = OrtHarness.Run(model, ("x", OrtHarness.Floats([-1f, 0.25f, 2f], 3)));

        Assert.Equal([-1f, 0.25f, 0.5f], y);
    }

    [Fact]
    public void Initializer_DataLengthNotMatchingDims_Throws()
    {
        var builder = new OnnxModelBuilder("g");

        Assert.Throws<ArgumentException>(() => builder.Initializer("w", [2, 2], new float[3]));
        Assert.Equal(0, builder.ParameterCount);
    }

    [Fact]
    public void ToBytes_OutputNeverProduced_Throws()
    {
        var builder = new OnnxModelBuilder("g").Input("x", OnnxElementType.Float, 1).Output("y", OnnxElementType.Float, 1);

        Assert.Throws<InvalidOperationException>(builder.ToBytes);
    }

    [Fact]
    public void ToBytes_NodeDomainNotImported_Throws()
    {
        var builder = new OnnxModelBuilder("g")
            .Input("x", OnnxElementType.Float, 1)
            .Output("y", OnnxElementType.Float, 1)
            .Node("Gelu", ["x"], ["y"], domain: "com.microsoft");

        Assert.Throws<InvalidOperationException>(builder.ToBytes);
    }

    [Fact]
    public void Save_NewAndExistingFile_WritesModelBytesAndNoTemporaryFile()
    {
        var directory = Directory.CreateTempSubdirectory("benchdaemon-models-");
        try
        {
            var path = Path.Combine(directory.FullName, "sample.onnx");
            File.WriteAllText(path, "old contents");
            var builder = Sample();

            builder.Save(path);

            Assert.Equal(builder.ToBytes(), File.ReadAllBytes(path));
            Assert.Equal(["sample.onnx"], directory.GetFiles().Select(f => f.Name));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    public static TheoryData<string> TinyModelNames => ["mlp", "mlp-fp16", "token-classifier", "identity", "slow", "sample"];

    [Theory]
    [MemberData(nameof(TinyModelNames))]
    public void ToBytes_TinyModels_AreGoogleProtobufsSerializationOfTheWholeModel(string name)
    {
        var bytes = name switch
        {
            "mlp" => TinyModels.Mlp(),
            "mlp-fp16" => TinyModels.Mlp(float16: true),
            "token-classifier" => TinyModels.TokenClassifier(),
            "identity" => TinyModels.WithOpset(17),
            "slow" => TinyModels.Slow(3),
            _ => Sample().Metadata("k", "v").Opset("com.microsoft", 1).ToBytes(),
        };

        // Initializers are serialized one by one and spliced in; a field out of Google.Protobuf's
        // order or a wrong length prefix would parse (or not) but not re-serialize to the same bytes.
        Assert.Equal(ModelProto.Parser.ParseFrom(bytes).ToByteArray(), bytes);
    }

    [Fact]
    public void WriteTo_FileStore_WritesTheBytesOfTheMemoryStore()
    {
        var directory = Directory.CreateTempSubdirectory("benchdaemon-models-");
        try
        {
            byte[] streamed;
            using (var store = OnnxModelBuilder.CreateInitializerStore(directory.FullName))
            using (var output = new MemoryStream())
            {
                Sample(new OnnxModelBuilder("sample", OnnxModelBuilder.DefaultOpset, store)).WriteTo(output);
                streamed = output.ToArray();
                Assert.True(store.Length > 6 * sizeof(float), "the weights did not go to the store");
            }

            Assert.Equal(Sample().ToBytes(), streamed);
            // The store is deleted when it is disposed.
            Assert.Empty(directory.GetFiles());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void WriteTo_StoreWithEarlierContent_WritesOnlyItsOwnInitializers()
    {
        using var store = new MemoryStream();
        store.Write("unrelated bytes"u8);

        var builder = Sample(new OnnxModelBuilder("sample", OnnxModelBuilder.DefaultOpset, store));

        Assert.Equal(Sample().ToBytes(), builder.ToBytes());
    }

    [Fact]
    public void WriteTo_MoreInitializersAfterAWrite_AreInTheNextWrite()
    {
        var builder = Sample();
        builder.ToBytes();

        builder.Initializer("extra", [2], [1f, 2f]).Node("Add", ["y", "extra"], ["z"]).Output("z", OnnxElementType.Float, "batch", 2);

        var expected = Sample().Initializer("extra", [2], [1f, 2f]).Node("Add", ["y", "extra"], ["z"]).Output("z", OnnxElementType.Float, "batch", 2).ToBytes();
        Assert.Equal(expected, builder.ToBytes());
        Assert.Equal(3, ModelProto.Parser.ParseFrom(expected).Graph.Initializer.Count);
    }

    [Fact]
    public void Constructor_StoreThatCannotBeRead_Throws()
    {
        using var store = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.Write, FileShare.None, 4096, FileOptions.DeleteOnClose);

        Assert.Throws<ArgumentException>(() => new OnnxModelBuilder("g", OnnxModelBuilder.DefaultOpset, store));
    }

    [Fact]
    public void OnnxDim_ImplicitConversions_GiveFixedOrSymbolic()
    {
        OnnxDim fixedDim = 7;
        OnnxDim symbolic = "batch";

        Assert.Equal((7L, null), (fixedDim.Size, fixedDim.Symbol));
        Assert.Equal((null, "batch"), (symbolic.Size, symbolic.Symbol));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxDim.Fixed(-1));
    }

    private static OnnxModelBuilder Sample(OnnxModelBuilder? builder = null) =>
        (builder ?? new OnnxModelBuilder("sample"))
            .Input("x", OnnxElementType.Float, "batch", 3)
            .Output("y", OnnxElementType.Float, "batch", 2)
            .Initializer("w", [3, 2], [0.5f, -1f, 0.25f, 2f, -0.75f, 1f])
            .Initializer("b", [2], [0.1f, -0.1f])
            .Node("MatMul", ["x", "w"], ["xw"])
            .Node("Add", ["xw", "b"], ["y"]);
}
