using System.Security.Cryptography;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Quantization;
using BenchDaemon.Workloads.Models.Zoo;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Models.Zoo;

public sealed class ModelZooTests : IDisposable
{
    // The first 12 hex digits of the SHA-256 of ResNetMiniFp32Recipe (checked with sha256sum).
    // They change only when the recipe does (ModelZoo.GeneratorVersion, seed or architecture),
    // and every cache then regenerates: change them on purpose only.
    private const string ResNetMiniFp32FileName = "resnet-mini-fp32-979368c62ced.onnx";

    private const string ResNetMiniFp32Recipe =
        "benchdaemon-model-zoo/1\nname=resnet-mini\nprecision=fp32\nseed=1\nconfig=resnet blocks=1,1,1,1 base_width=8 image=32 classes=10\n";

    private const string Mini = "resnet-mini";
    private const string Tiny = "bert-tiny";

    private static readonly DateTime s_longAgo = new(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    private readonly string _cache = Directory.CreateTempSubdirectory("benchdaemon-zoo-").FullName;
    private readonly FakeLogger<ModelZoo> _logger = new();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_cache, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the OS cleans its temp folder later.
        }
    }

    [Theory]
    [InlineData(Mini, Precision.FP32)]
    [InlineData(Mini, Precision.FP16)]
    [InlineData(Mini, Precision.INT8)]
    [InlineData(Tiny, Precision.FP32)]
    [InlineData(Tiny, Precision.FP16)]
    [InlineData(Tiny, Precision.INT8)]
    public void GetPath_TestModel_WritesAModelOrtLoadsAndRuns(string name, Precision precision)
    {
        var zoo = NewZoo();

        var path = zoo.GetPath(name, precision, TestContext.Current.CancellationToken);

        Assert.Equal(Path.Combine(_cache, ModelZoo.ModelsFolder, ModelZoo.FileName(name, precision)), path);
        using var session = new InferenceSession(path);
        Assert.Equal(precision.ToString().ToUpperInvariant(), session.ModelMetadata.CustomMetadataMap["benchdaemon.precision"].ToUpperInvariant());
        var output = RunFirstOutput(session, ModelZoo.TryGet(name)!);
        Assert.All(output, v => Assert.True(float.IsFinite(v), $"non-finite output {v}"));
        Assert.Contains(output, v => v != 0f);
    }

    [Fact]
    public void GetPath_WritesAChecksumFileSha256sumCanCheck()
    {
        var path = NewZoo().GetPath(Mini, Precision.FP32, TestContext.Current.CancellationToken);

        var lines = File.ReadAllLines(path + ModelZoo.ChecksumExtension);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([$"# size {bytes.Length}", $"{Convert.ToHexStringLower(SHA256.HashData(bytes))}  {Path.GetFileName(path)}"], lines);
    }

    [Fact]
    public void GetPath_SecondCall_DoesNotRegenerate()
    {
        var zoo = NewZoo();
        var path = zoo.GetPath(Mini, Precision.FP32, TestContext.Current.CancellationToken);
        var original = File.ReadAllBytes(path);
        // A rewrite would give the file a current modification time.
        File.SetLastWriteTimeUtc(path, s_longAgo);

        var again = zoo.GetPath(Mini, Precision.FP32, TestContext.Current.CancellationToken);
        var fromNewInstance = NewZoo().GetPath(Mini, Precision.FP32, TestContext.Current.CancellationToken);

        Assert.Equal(path, again);
        Assert.Equal(path, fromNewInstance);
        Assert.Equal(s_longAgo, File.GetLastWriteTimeUtc(path));
        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1300);
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public void GetPath_TruncatedFile_IsRegenerated()
    {
        var zoo = NewZoo();
        var path = zoo.GetPath(Mini, Precision.INT8, TestContext.Current.CancellationToken);
        var original = File.ReadAllBytes(path);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(original.Length / 2);
        }

        var again = zoo.GetPath(Mini, Precision.INT8, TestContext.Current.CancellationToken);

        Assert.Equal(original, File.ReadAllBytes(again));
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("truncated", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetPath_CorruptedFileOfTheSameSize_IsRegeneratedOnFirstUseInANewInstance()
    {
        var path = NewZoo().GetPath(Mini, Precision.FP32, TestContext.Current.CancellationToken);
        var original = File.ReadAllBytes(path);
        var corrupt = (byte[])original.Clone();
        corrupt[corrupt.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, corrupt);

        var again = NewZoo().GetPath(Mini, Precision.FP32, TestContext.Current.CancellationToken);

        Assert.Equal(original, File.ReadAllBytes(again));
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("corrupt", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetPath_MissingChecksumFile_IsRegenerated()
    {
        var zoo = NewZoo();
        var path = zoo.GetPath(Mini, Precision.FP16, TestContext.Current.CancellationToken);
        File.Delete(path + ModelZoo.ChecksumExtension);
        File.SetLastWriteTimeUtc(path, s_longAgo);

        zoo.GetPath(Mini, Precision.FP16, TestContext.Current.CancellationToken);

        Assert.True(File.Exists(path + ModelZoo.ChecksumExtension));
        Assert.NotEqual(s_longAgo, File.GetLastWriteTimeUtc(path));
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task GetPath_ConcurrentCallsForOneModel_GenerateItOnce()
    {
        var zoo = NewZoo();

        var paths = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => zoo.GetPath(Tiny, Precision.INT8))));

        Assert.Single(paths.Distinct());
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1300);
        Assert.Empty(Directory.GetFileSystemEntries(zoo.ModelsDirectory, "*.tmp"));
    }

    [Fact]
    public void GetPath_Cancelled_ThrowsAndWritesNothing()
    {
        var zoo = NewZoo();

        Assert.ThrowsAny<OperationCanceledException>(() => zoo.GetPath(Mini, Precision.FP32, new CancellationToken(canceled: true)));

        Assert.False(zoo.Inspect(Mini, Precision.FP32).Cached);
        Assert.False(Directory.Exists(zoo.ModelsDirectory) && Directory.EnumerateFileSystemEntries(zoo.ModelsDirectory).Any());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GetPath_Int8_IsTheFp32ModelQuantizedAndCachesOnlyWhatWasAskedFor(bool fp32Cached)
    {
        var zoo = NewZoo();
        if (fp32Cached)
        {
            zoo.GetPath(Tiny, Precision.FP32, TestContext.Current.CancellationToken);
        }

        var int8 = zoo.GetPath(Tiny, Precision.INT8, TestContext.Current.CancellationToken);

        var expected = QdqQuantizer.Quantize(BertModel.Build(BertConfig.Tiny, seed: ModelZoo.WeightSeed), ModelZooQuantization(Tiny));
        Assert.Equal(expected, File.ReadAllBytes(int8));
        Assert.Equal(fp32Cached, zoo.Inspect(Tiny, Precision.FP32).Cached);
        string[] files = fp32Cached ? [Path.GetFileName(int8), ModelZoo.FileName(Tiny, Precision.FP32)] : [Path.GetFileName(int8)];
        Assert.Equal(
            files.SelectMany(f => new[] { f, f + ModelZoo.ChecksumExtension }).Order(StringComparer.Ordinal),
            Directory.GetFileSystemEntries(zoo.ModelsDirectory).Select(e => Path.GetFileName(e)).Order(StringComparer.Ordinal));
    }

    // The SHA-256 of each file as the zoo wrote it when it built models in memory, from
    // `benchdaemon models export NAME -p PRECISION` and sha256sum. Changing a byte of a cached
    // model for the same recipe needs a new GeneratorVersion, and new hashes here.
    [Theory]
    [InlineData(Mini, Precision.FP32, "57670c3f85c47e37c6b06c243b6ef55dd5072cdf4aed74dd029f44306c54d43b")]
    [InlineData(Mini, Precision.FP16, "2d2a4ad5d3962ee45a6e9aeecae0c21c5915b3e3aa3ac881f3da4d7ccb5e644b")]
    [InlineData(Tiny, Precision.FP32, "ba207bacb281ec21c5e0e40b58bfeea7eb87ad63096a4a32ac01ade8df46d059")]
    [InlineData(Tiny, Precision.FP16, "a0d5ff6045f440915ffdd65212b3e566ef5e18f200455903e7f2e1de53f953c8")]
    [InlineData("conv-w64-d3", Precision.FP32, "296e0a1446763a9352048ee64c5357217d4a9eebcb8b3a71c659ab4c8191a7f2")]
    [InlineData("conv-w64-d3", Precision.FP16, "c02220835c1b0ea3807519f55ef9b271215a37c72f8648bf5a5c66a71e899d92")]
    [InlineData("mha-e128-d2", Precision.FP32, "7062ccf378717fb4970d3f4204cdf58862c1b858cf06f14fd1b0983c89a27957")]
    [InlineData("mha-e128-d2", Precision.FP16, "0a26b68c78d22f96cb904b7d8ea0d6c48c534e818a64ab1354a89bc0d9bce47c")]
    public void GetPath_Fp32AndFp16_WritesTheBytesTheInMemoryGeneratorsWrote(string name, Precision precision, string sha256)
    {
        var path = NewZoo().GetPath(name, precision, TestContext.Current.CancellationToken);

        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))));
    }

    // Whole-model buffering allocated the model three times over (the weight arrays, their raw
    // bytes, ToByteArray); streaming allocates its largest weight (9.4 MB here) and copy buffers.
    [Fact]
    public void GetPath_Fp32BlockStack_AllocatesLessThanHalfTheModel()
    {
        const string Name = "conv-w512-d4-s8";
        var zoo = NewZoo();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var path = zoo.GetPath(Name, Precision.FP32, TestContext.Current.CancellationToken);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var size = new FileInfo(path).Length;
        Assert.True(size > 35_000_000, $"the model is {size} bytes, too small to tell");
        Assert.True(allocated < size / 2, $"generating {size} bytes allocated {allocated}");
    }

    // The in-memory pipeline allocated the FP32 model five times over (parsed, preprocessed and
    // read back, parsed again, cloned for calibration, serialized). From the file, what remains is
    // a buffer for one weight's floats and one for its integers (2.4 MB each here) and the INT8
    // weights themselves (a quarter of the FP32 model), plus, without a cached FP32 model, the
    // generator's weight buffer.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GetPath_Int8BlockStack_AllocatesLessThanTheFp32Model(bool fp32Cached)
    {
        const string Name = "conv-w256-d16-s8";
        var zoo = NewZoo();
        if (fp32Cached)
        {
            zoo.GetPath(Name, Precision.FP32, TestContext.Current.CancellationToken);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        zoo.GetPath(Name, Precision.INT8, TestContext.Current.CancellationToken);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var fp32 = new FileInfo(NewZoo().GetPath(Name, Precision.FP32, TestContext.Current.CancellationToken)).Length;
        Assert.True(fp32 > 35_000_000, $"the FP32 model is {fp32} bytes, too small to tell");
        Assert.True(allocated < fp32 * 3 / 4, $"quantizing {fp32} bytes allocated {allocated}");
    }

    [Fact]
    public void GetPath_UnknownModel_ThrowsNamingTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => NewZoo().GetPath("resnet18", Precision.FP32, TestContext.Current.CancellationToken));

        Assert.Contains("resnet50, resnet-mini, bert-base, bert-tiny", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_BeforeAndAfterGeneration_ReportsTheSamePathAndWhetherCached()
    {
        var zoo = NewZoo();

        var before = zoo.Inspect(Tiny, Precision.FP32);
        var path = zoo.GetPath(Tiny, Precision.FP32, TestContext.Current.CancellationToken);
        var after = zoo.Inspect(Tiny, Precision.FP32);

        Assert.False(before.Cached);
        Assert.Null(before.Bytes);
        Assert.Equal(path, before.Path);
        Assert.True(after.Cached);
        Assert.Equal(new FileInfo(path).Length, after.Bytes);
        Assert.False(zoo.Inspect(Tiny, Precision.FP16).Cached);
    }

    [Fact]
    public void FileName_ResNetMiniFp32_IsStable()
    {
        Assert.Equal(ResNetMiniFp32Recipe, ModelZoo.Recipe(Mini, Precision.FP32));
        Assert.Equal(ResNetMiniFp32FileName, ModelZoo.FileName(Mini, Precision.FP32));
    }

    [Fact]
    public void Recipe_Int8_NamesTheCalibrationSizes()
    {
        Assert.Contains("dimensions=sequence=16,vocab=1000 ", ModelZoo.Recipe(Tiny, Precision.INT8), StringComparison.Ordinal);
        Assert.DoesNotContain("calibration", ModelZoo.Recipe(Tiny, Precision.FP32), StringComparison.Ordinal);
    }

    [Fact]
    public void FileName_DiffersByPrecisionAndModel()
    {
        var names = ModelZoo.Models.SelectMany(m => ModelZoo.Precisions.Select(p => ModelZoo.FileName(m.Name, p))).ToList();

        Assert.Equal(12, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, n => Assert.Matches("^[a-z0-9-]+-(fp32|fp16|int8)-[0-9a-f]{12}\\.onnx$", n));
    }

    [Fact]
    public void Models_ListsTheFourWithTheGeneratorsParameterCounts()
    {
        Assert.Equal(["resnet50", "resnet-mini", "bert-base", "bert-tiny"], ModelZoo.Models.Select(m => m.Name));
        Assert.Equal(ResNetModel.ParameterCount(ResNetConfig.ResNet50), ModelZoo.TryGet("resnet50")!.Parameters);
        Assert.Equal(ResNetModel.ParameterCount(ResNetConfig.Mini), ModelZoo.TryGet(Mini)!.Parameters);
        Assert.Equal(BertModel.ParameterCount(BertConfig.Base), ModelZoo.TryGet("bert-base")!.Parameters);
        Assert.Equal(BertModel.ParameterCount(BertConfig.Tiny), ModelZoo.TryGet(Tiny)!.Parameters);
    }

    [Fact]
    public void Models_DimensionsAndMacsFollowTheConfigs()
    {
        var bertBase = ModelZoo.TryGet("BERT-base")!;
        var resnet50 = ModelZoo.TryGet("resnet50")!;

        Assert.Equal("bert-base", bertBase.Name);
        Assert.Equal(ModelZoo.TextFamily, bertBase.Family);
        Assert.Equal(128, bertBase.Dimensions["sequence"]);
        Assert.Equal(BertConfig.Base.Vocab, bertBase.Dimensions["vocab"]);
        Assert.Equal(BertModel.MacsPerSample(BertConfig.Base, 128), bertBase.MacsPerSample);
        Assert.Equal(16, ModelZoo.TryGet(Tiny)!.Dimensions["sequence"]);
        Assert.Equal(ModelZoo.ImageFamily, resnet50.Family);
        Assert.Equal(224, resnet50.Dimensions["image"]);
        Assert.Equal(ResNetModel.MacsPerSample(ResNetConfig.ResNet50), resnet50.MacsPerSample);
        Assert.Null(ModelZoo.TryGet("resnet18"));
    }

    private ModelZoo NewZoo() => new(_cache, _logger);

    // The zoo's calibration settings for a text model: its sequence and vocabulary.
    private static QuantizationOptions ModelZooQuantization(string name) =>
        new() { Seed = ModelZoo.CalibrationSeed, Dimensions = ModelZoo.TryGet(name)!.Dimensions };

    private static float[] RunFirstOutput(InferenceSession session, BuiltinModelInfo model)
    {
        var inputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        try
        {
            if (model.Family == ModelZoo.ImageFamily)
            {
                var size = model.Dimensions["image"];
                inputs[ResNetModel.InputName] = OrtHarness.Floats(OrtHarness.Ramp((int)(3 * size * size)), 1, 3, size, size);
            }
            else
            {
                var sequence = model.Dimensions["sequence"];
                var vocab = model.Dimensions["vocab"];
                var ids = Enumerable.Range(0, (int)sequence).Select(i => (i * 7919L) % vocab).ToArray();
                inputs["input_ids"] = OrtHarness.Longs(ids, 1, sequence);
                inputs["attention_mask"] = OrtHarness.Longs([.. Enumerable.Repeat(1L, (int)sequence)], 1, sequence);
                inputs["token_type_ids"] = OrtHarness.Longs(new long[sequence], 1, sequence);
            }

            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs.Keys.ToArray(), inputs.Values.ToArray(), session.OutputNames);
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }
}
