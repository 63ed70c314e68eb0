using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using BenchDaemon.Workloads.Models.Zoo;
using Google.Protobuf;

namespace BenchDaemon.Workloads.Tests.Models.Graph;

public sealed class OnnxModelFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("benchdaemon-modelfile-");

    public void Dispose() => _directory.Delete(recursive: true);

    public static TheoryData<string> Models => ["resnet-mini", "bert-tiny", "mha-e128-d2", "mlp"];

    [Theory]
    [MemberData(nameof(Models))]
    public void WriteTo_Unchanged_GivesGoogleProtobufsBytesForTheParsedModel(string name)
    {
        var bytes = Build(name);
        var path = Save(name, bytes);

        var file = OnnxModelFile.Load(path);
        using var written = new MemoryStream();
        file.WriteTo(written, file.Model);

        Assert.Equal(ModelProto.Parser.ParseFrom(bytes).ToByteArray(), written.ToArray());
    }

    [Fact]
    public void Load_LargeInitializers_StayInTheFileAndSmallOnesInMemory()
    {
        var path = Save("bert-tiny", BertModel.Build(BertConfig.Tiny));

        var file = OnnxModelFile.Load(path);

        var initializers = file.Model.Graph.Initializer;
        var embeddings = initializers.Single(i => i.Name == "embeddings.word_embeddings.weight");
        var layerNorm = initializers.Single(i => i.Name == "embeddings.LayerNorm.weight");
        Assert.True(file.IsDeferred(embeddings));
        Assert.True(embeddings.RawData.IsEmpty);
        Assert.Equal(1000 * 64 * sizeof(float), file.DataLength(embeddings));
        Assert.False(file.IsDeferred(layerNorm));
        Assert.Equal(64 * sizeof(float), layerNorm.RawData.Length);
        // What stays in memory is the graph, not the weights.
        Assert.True(file.Model.CalculateSize() < new FileInfo(path).Length / 10, $"{file.Model.CalculateSize()} bytes in memory");
    }

    [Fact]
    public void ReadData_DeferredInitializer_ReadsItsBytesFromTheFile()
    {
        var bytes = BertModel.Build(BertConfig.Tiny);
        var expected = ModelProto.Parser.ParseFrom(bytes).Graph.Initializer.Single(i => i.Name == "encoder.layer.1.intermediate.dense.weight").RawData;
        var file = OnnxModelFile.Load(Save("bert-tiny", bytes));
        var tensor = file.Model.Graph.Initializer.Single(i => i.Name == "encoder.layer.1.intermediate.dense.weight");

        var data = new byte[file.DataLength(tensor)];
        file.ReadData(tensor, data);

        Assert.Equal(expected.ToByteArray(), data);
    }

    [Fact]
    public void WriteTo_ExternalDataDirectory_ReferencesTheFileAndLoadsBackInline()
    {
        var bytes = BertModel.Build(BertConfig.Tiny);
        var source = OnnxModelFile.Load(Save("bert-tiny", bytes));
        var view = Path.Combine(_directory.FullName, "view.onnx");

        using (var stream = File.Create(view))
        {
            source.WriteTo(stream, source.Model, _directory.FullName);
        }

        var parsed = ModelProto.Parser.ParseFrom(File.ReadAllBytes(view));
        var embeddings = parsed.Graph.Initializer.Single(i => i.Name == "embeddings.word_embeddings.weight");
        Assert.Equal(TensorProto.Types.DataLocation.External, embeddings.DataLocation);
        Assert.Equal("bert-tiny.onnx", embeddings.ExternalData.Single(e => e.Key == "location").Value);
        Assert.True(new FileInfo(view).Length < bytes.Length / 10);

        var reloaded = OnnxModelFile.Load(view);
        using var inline = new MemoryStream();
        reloaded.WriteTo(inline, reloaded.Model);
        Assert.Equal(ModelProto.Parser.ParseFrom(bytes).ToByteArray(), inline.ToArray());
    }

    [Fact]
    public void WriteTo_ChangedModel_WritesTheChangesAndTheDeferredData()
    {
        var bytes = BertModel.Build(BertConfig.Tiny);
        var file = OnnxModelFile.Load(Save("bert-tiny", bytes));
        var expected = ModelProto.Parser.ParseFrom(bytes);
        foreach (var model in new[] { file.Model, expected })
        {
            model.Graph.Initializer.RemoveAt(0);
            model.Graph.Initializer.Add(new TensorProto { Name = "added", DataType = 1, RawData = ByteString.CopyFrom(new byte[8192]) });
            model.MetadataProps.Add(new StringStringEntryProto { Key = "changed", Value = "yes" });
        }

        using var written = new MemoryStream();
        file.WriteTo(written, file.Model);

        Assert.Equal(expected.ToByteArray(), written.ToArray());
    }

    [Fact]
    public void Load_NotAModel_ThrowsInvalidData()
    {
        var path = Save("text", "this is not a protobuf message, let alone a model"u8.ToArray());

        Assert.Throws<InvalidDataException>(() => OnnxModelFile.Load(path));
    }

    [Fact]
    public void Load_TruncatedModel_ThrowsInvalidData()
    {
        var bytes = BertModel.Build(BertConfig.Tiny);
        var path = Save("truncated", bytes[..(bytes.Length / 2)]);

        Assert.Throws<InvalidDataException>(() => OnnxModelFile.Load(path));
    }

    private static byte[] Build(string name) => name switch
    {
        "resnet-mini" => ResNetModel.Build(ResNetConfig.Mini),
        "bert-tiny" => BertModel.Build(BertConfig.Tiny, float16: true),
        "mha-e128-d2" => BlockModel.Build(BlockConfig.TryParse(name)!),
        _ => TinyModels.Mlp(),
    };

    private string Save(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory.FullName, name + ".onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
