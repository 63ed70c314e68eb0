using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using BenchDaemon.Workloads.Models.Quantization;
using BenchDaemon.Workloads.Models.Zoo;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Models.Quantization;

public sealed class QdqQuantizerTests
{
    // Evaluation inputs use a seed that no calibration batch uses (those are Seed + 0..7).
    private const int EvaluationSeed = 1000;
    private const int EvaluationBatch = 16;

    // Measured on an AVX2 EPYC (ONNX Runtime 1.31.1, default options): cosine similarity
    // 0.99985 (Mlp), 0.99965 (TokenClassifier), 0.99995 (conv net); largest absolute logit error
    // 0.024, 0.020 and 0.030 on logits up to 1.5, 0.6 and 1.4. The bounds leave room for other
    // CPUs' kernels; 8-bit weights on this CPU (ReduceRange off) give 0.974 / 0.37 and fail them.
    private const double MinCosine = 0.999;
    private const float MaxAbsError = 0.1f;

    private static readonly Dictionary<string, long> s_noDimensions = [];
    private static readonly Dictionary<string, long> s_sequence = new() { [TinyModels.Sequence] = 16 };

    [Fact]
    public void Quantize_Mlp_HasQdqNodesAndInt8WeightsInPlaceOfFloatWeights()
    {
        var model = ModelProto.Parser.ParseFrom(QdqQuantizer.Quantize(TinyModels.Mlp(), new QuantizationOptions()));

        var ops = model.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Contains("QuantizeLinear", ops);
        Assert.Contains("DequantizeLinear", ops);
        var int8 = model.Graph.Initializer.Where(i => i.DataType == (int)OnnxElementType.Int8).Select(i => i.Name).ToList();
        Assert.Contains("fc1.weight_quantized", int8);
        Assert.Contains("fc2.weight_quantized", int8);
        Assert.DoesNotContain(model.Graph.Initializer, i => i.Name is "fc1.weight" or "fc2.weight");
        // Per-channel: one scale per output column of each [K, N] weight.
        Assert.Equal([32L], model.Graph.Initializer.Single(i => i.Name == "fc1.weight_scale").Dims);
        var biases = model.Graph.Initializer.Where(i => i.DataType == (int)OnnxElementType.Int32).Select(i => i.Name);
        Assert.Equal(["fc1.bias_quantized", "fc2.bias_quantized"], biases.Order());
    }

    [Fact]
    public void Quantize_Mlp_RecordsPrecisionAndCalibrationInMetadata()
    {
        var model = ModelProto.Parser.ParseFrom(QdqQuantizer.Quantize(TinyModels.Mlp(), new QuantizationOptions { Seed = 5 }));

        var metadata = model.MetadataProps.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal("int8", metadata["benchdaemon.precision"]);
        Assert.Equal("qdq-static", metadata["benchdaemon.quantization"]);
        Assert.Equal("minmax, batches=8, batch_size=1, seed=5", metadata["benchdaemon.quantization.calibration"]);
        Assert.Equal("Gemm 2", metadata["benchdaemon.quantization.nodes"]);
        // What the FP32 model said about itself is kept.
        Assert.Equal("mlp", metadata["benchdaemon.model"]);
    }

    [Fact]
    public void Quantize_Mlp_RunsCloseToButNotEqualToFp32()
    {
        var fp32 = TinyModels.Mlp();

        var (reference, quantized) = RunBoth(fp32, QdqQuantizer.Quantize(fp32, new QuantizationOptions()), s_noDimensions);

        AssertClose(reference, quantized);
    }

    [Fact]
    public void Quantize_TokenClassifierWithSequence_RunsCloseToFp32()
    {
        var fp32 = TinyModels.TokenClassifier();

        var int8 = QdqQuantizer.Quantize(fp32, new QuantizationOptions { Dimensions = s_sequence });

        var (reference, quantized) = RunBoth(fp32, int8, s_sequence);
        AssertClose(reference, quantized);
        // The embeddings feed Gather, not a quantized op, so they stay float.
        Assert.Contains(ModelProto.Parser.ParseFrom(int8).Graph.Initializer, i => i.Name == "embeddings.word" && i.DataType == (int)OnnxElementType.Float);
    }

    [Fact]
    public void Quantize_TokenClassifierWithoutSequence_ThrowsNamingTheDimension()
    {
        var ex = Assert.Throws<ArgumentException>(() => QdqQuantizer.Quantize(TinyModels.TokenClassifier(), new QuantizationOptions()));

        Assert.Contains("Dimensions:sequence", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> ConvNetVariants => ["default", "per-tensor", "uint8-weights", "percentile", "int8-activations"];

    [Theory]
    [MemberData(nameof(ConvNetVariants))]
    public void Quantize_ConvNet_RunsCloseToFp32(string variant)
    {
        var fp32 = ConvNet();
        var options = variant switch
        {
            "per-tensor" => new QuantizationOptions { PerChannel = false },
            "uint8-weights" => new QuantizationOptions { WeightType = OnnxElementType.UInt8 },
            "percentile" => new QuantizationOptions { CalibrationMethod = CalibrationMethod.Percentile },
            "int8-activations" => new QuantizationOptions { ActivationType = OnnxElementType.Int8 },
            _ => new QuantizationOptions(),
        };

        var (reference, quantized) = RunBoth(fp32, QdqQuantizer.Quantize(fp32, options), s_noDimensions);

        AssertClose(reference, quantized);
    }

    [Fact]
    public void Quantize_ConvNet_OrtFusesEveryGroupIntoIntegerKernels()
    {
        var ops = OptimizedOpTypes(QdqQuantizer.Quantize(ConvNet(), new QuantizationOptions()));

        Assert.Equal(2, ops.Count(o => o == "QLinearConv"));
        Assert.Equal(1, ops.Count(o => o == "QGemm"));
        // No float Conv or Gemm is left, and the Relu is absorbed by the quantized range.
        Assert.DoesNotContain("Conv", ops);
        Assert.DoesNotContain("Gemm", ops);
        Assert.DoesNotContain("Relu", ops);
    }

    [Fact]
    public void Quantize_Mlp_OrtFusesBothLayersIntoQGemm()
    {
        var ops = OptimizedOpTypes(QdqQuantizer.Quantize(TinyModels.Mlp(), new QuantizationOptions()));

        Assert.Equal(2, ops.Count(o => o == "QGemm"));
        Assert.DoesNotContain("DequantizeLinear", ops);
        Assert.DoesNotContain("Gemm", ops);
        Assert.DoesNotContain("MatMul", ops);
    }

    [Fact]
    public void Quantize_ActivationTimesActivationMatMul_FusesIntoIntegerMatMul()
    {
        var fp32 = new OnnxModelBuilder("scores")
            .Input("query", OnnxElementType.Float, "batch", 4, 8)
            .Input("key", OnnxElementType.Float, "batch", 8, 6)
            .Output("scores", OnnxElementType.Float, "batch", 4, 6)
            .Node("MatMul", ["query", "key"], ["scores"])
            .ToBytes();

        var int8 = QdqQuantizer.Quantize(fp32, new QuantizationOptions());

        var (reference, quantized) = RunBoth(fp32, int8, s_noDimensions);
        AssertClose(reference, quantized);
        Assert.Contains(OptimizedOpTypes(int8), o => o is "MatMulIntegerToFloat" or "QLinearMatMul");
    }

    [Fact]
    public void Quantize_GemmWithAlphaBetaAndUntransposedWeight_FoldsThemAndFusesIntoQGemm()
    {
        var rng = new SplitMix64(3);
        var fp32 = new OnnxModelBuilder("gemm")
            .Input("x", OnnxElementType.Float, "batch", 12)
            .Output("y", OnnxElementType.Float, "batch", 5)
            .Initializer("w", [12, 5], rng.NextUniform(60, 0.5f))
            .Initializer("c", [1, 5], rng.NextUniform(5, 1f))
            .Node("Gemm", ["x", "w", "c"], ["y"], attributes: [OnnxAttribute.Float("alpha", 0.75f), OnnxAttribute.Float("beta", 0.5f)])
            .ToBytes();

        var int8 = QdqQuantizer.Quantize(fp32, new QuantizationOptions { Preprocess = false });

        var (reference, quantized) = RunBoth(fp32, int8, s_noDimensions);
        AssertClose(reference, quantized);
        var gemm = ModelProto.Parser.ParseFrom(int8).Graph.Node.Single(n => n.OpType == "Gemm");
        // ONNX Runtime fuses only a Gemm with alpha 1 (and beta 1 with a bias), so both went into the initializers.
        Assert.Equal(1f, gemm.Attribute.Single(a => a.Name == "alpha").F);
        Assert.Equal(1f, gemm.Attribute.Single(a => a.Name == "beta").F);
        Assert.Contains("QGemm", OptimizedOpTypes(int8));
    }

    [Fact]
    public void Quantize_SameModelAndOptionsTwice_GivesSameBytes()
    {
        var options = new QuantizationOptions { Seed = 3 };

        Assert.Equal(QdqQuantizer.Quantize(ConvNet(), options), QdqQuantizer.Quantize(ConvNet(), options));
    }

    [Fact]
    public void Quantize_DifferentSeed_CalibratesDifferently()
    {
        Assert.NotEqual(
            QdqQuantizer.Quantize(ConvNet(), new QuantizationOptions { Seed = 1 }),
            QdqQuantizer.Quantize(ConvNet(), new QuantizationOptions { Seed = 2 }));
    }

    [Fact]
    public void Quantize_NothingToQuantize_ThrowsRatherThanReturningFp32()
    {
        var ex = Assert.Throws<ArgumentException>(() => QdqQuantizer.Quantize(TinyModels.WithOpset(17), new QuantizationOptions()));

        Assert.Contains("nothing to quantize", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantize_OpTypesWithoutTheModelsOps_ThrowsNothingToQuantize()
    {
        var ex = Assert.Throws<ArgumentException>(() => QdqQuantizer.Quantize(TinyModels.Mlp(), new QuantizationOptions { OpTypes = ["Conv"] }));

        Assert.Contains("nothing to quantize", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantize_Opset12_ThrowsNamingTheOpset()
    {
        var ex = Assert.Throws<ArgumentException>(() => QdqQuantizer.Quantize(TinyModels.WithOpset(12), new QuantizationOptions()));

        Assert.Contains("opset 12", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantize_AlreadyQuantized_Throws()
    {
        var int8 = QdqQuantizer.Quantize(TinyModels.Mlp(), new QuantizationOptions());

        var ex = Assert.Throws<ArgumentException>(() => QdqQuantizer.Quantize(int8, new QuantizationOptions()));

        Assert.Contains("already quantized", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, bool> PipelineModels => new()
    {
        { "mlp", true },
        { "convnet", true },
        { "convnet", false },
        { "resnet-mini", true },
        { "bert-tiny", true },
        { "conv-w64-d2-s16", true },
        { "mha-e128-d2", true },
    };

    [Theory]
    [MemberData(nameof(PipelineModels))]
    public void Quantize_File_GivesTheBytesOfTheWholeModelPipeline(string name, bool preprocess)
    {
        var fp32 = name switch
        {
            "mlp" => TinyModels.Mlp(),
            "convnet" => ConvNet(),
            _ => PathlessBuild(name),
        };
        var options = new QuantizationOptions
        {
            Seed = 3,
            Preprocess = preprocess,
            // As the zoo calibrates: a text model at its sequence and vocabulary, the rest with no sizes.
            Dimensions = ModelZoo.TryGet(name) is { Family: ModelZoo.TextFamily } text ? text.Dimensions : s_noDimensions,
        };
        var directory = Directory.CreateTempSubdirectory("benchdaemon-qdq-file-");
        try
        {
            var path = Path.Combine(directory.FullName, "model.onnx");
            File.WriteAllBytes(path, fp32);
            using var output = new MemoryStream();

            QdqQuantizer.Quantize(path, output, options, TestContext.Current.CancellationToken);

            // Weights read from the file one at a time, external-data views for ONNX Runtime and a
            // streamed write: none of it may change a byte of what the in-memory pipeline writes.
            Assert.Equal(WholeModelQuantize(fp32, options), output.ToArray());
            Assert.Equal(["model.onnx"], directory.GetFileSystemInfos().Select(f => f.Name));
            Assert.Equal(fp32, File.ReadAllBytes(path));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Quantize_FileCancelled_ThrowsAndLeavesNothingBesideTheModel()
    {
        var directory = Directory.CreateTempSubdirectory("benchdaemon-qdq-file-");
        try
        {
            var path = Path.Combine(directory.FullName, "model.onnx");
            File.WriteAllBytes(path, ConvNet());
            using var output = new MemoryStream();

            Assert.ThrowsAny<OperationCanceledException>(() => QdqQuantizer.Quantize(path, output, new QuantizationOptions(), new CancellationToken(canceled: true)));

            Assert.Equal(["model.onnx"], directory.GetFileSystemInfos().Select(f => f.Name));
            Assert.Equal(0, output.Length);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Quantize_FileThatIsNoModel_ThrowsNamingTheFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a model");
            using var output = new MemoryStream();

            var ex = Assert.Throws<ArgumentException>(() => QdqQuantizer.Quantize(path, output, new QuantizationOptions(), TestContext.Current.CancellationToken));

            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            Assert.Contains("not an ONNX model", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(nameof(QuantizationOptions.CalibrationBatches))]
    [InlineData(nameof(QuantizationOptions.OpTypes))]
    [InlineData(nameof(QuantizationOptions.ActivationType))]
    public void Quantize_InvalidOptions_ThrowsNamingTheOption(string property)
    {
        var options = property switch
        {
            nameof(QuantizationOptions.CalibrationBatches) => new QuantizationOptions { CalibrationBatches = 0 },
            nameof(QuantizationOptions.OpTypes) => new QuantizationOptions { OpTypes = ["Conv", "Add"] },
            _ => new QuantizationOptions { ActivationType = OnnxElementType.Float16 },
        };

        var ex = Assert.Throws<ArgumentException>(() => QdqQuantizer.Quantize(TinyModels.Mlp(), options));

        Assert.Contains(property, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Conv(3→16, 3×3) → Relu → Conv(16→32, 3×3, stride 2) → GlobalAveragePool → Flatten → Gemm(32→10), input [batch, 3, 32, 32].</summary>
    internal static byte[] ConvNet(int channels1 = 16, int channels2 = 32, int size = 32, int classes = 10)
    {
        var rng = new SplitMix64(7);
        return new OnnxModelBuilder("convnet")
            .Input("image", OnnxElementType.Float, TinyModels.Batch, 3, size, size)
            .Output("logits", OnnxElementType.Float, TinyModels.Batch, classes)
            .Initializer("conv1.weight", [channels1, 3, 3, 3], He(rng, channels1 * 3 * 9, 3 * 9))
            .Initializer("conv1.bias", [channels1], rng.NextUniform(channels1, 0.1f))
            .Initializer("conv2.weight", [channels2, channels1, 3, 3], He(rng, channels2 * channels1 * 9, channels1 * 9))
            .Initializer("conv2.bias", [channels2], rng.NextUniform(channels2, 0.1f))
            .Initializer("fc.weight", [classes, channels2], He(rng, classes * channels2, channels2))
            .Initializer("fc.bias", [classes], rng.NextUniform(classes, 0.1f))
            .Node("Conv", ["image", "conv1.weight", "conv1.bias"], ["conv1"], attributes: [OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("pads", 1, 1, 1, 1)])
            .Node("Relu", ["conv1"], ["relu1"])
            .Node("Conv", ["relu1", "conv2.weight", "conv2.bias"], ["conv2"], attributes: [OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("pads", 1, 1, 1, 1), OnnxAttribute.Ints("strides", 2, 2)])
            .Node("GlobalAveragePool", ["conv2"], ["pooled"])
            .Node("Flatten", ["pooled"], ["flat"])
            .Node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], attributes: OnnxAttribute.Int("transB", 1))
            .ToBytes();
    }

    private static byte[] PathlessBuild(string name) => name switch
    {
        "resnet-mini" => ResNetModel.Build(ResNetConfig.Mini),
        "bert-tiny" => BertModel.Build(BertConfig.Tiny),
        _ => BlockModel.Build(BlockConfig.TryParse(name)!),
    };

    // The pipeline as it was before it worked from files (and as Quantize(byte[]) was): the whole
    // model parsed, ONNX Runtime preprocessing it from bytes, the calibration model a clone of the
    // whole model, and the result serialized by Google.Protobuf in one piece.
    private static byte[] WholeModelQuantize(byte[] fp32, QuantizationOptions options)
    {
        var temporary = Path.Combine(Path.GetTempPath(), $"benchdaemon-qdq-whole-{Guid.NewGuid():N}");
        try
        {
            var model = ModelProto.Parser.ParseFrom(fp32);
            if (options.Preprocess)
            {
                using (var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, OptimizedModelFilePath = temporary + ".pre" })
                using (new InferenceSession(fp32, sessionOptions))
                {
                }

                model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(temporary + ".pre"));
            }

            var candidates = QuantizationPlanner.Select(model.Graph, options);
            var tensors = candidates.SelectMany(c => c.Tensors).Distinct(StringComparer.Ordinal).ToList();
            var augmented = model.Clone();
            var inputs = augmented.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            var outputs = augmented.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var tensor in tensors.Where(t => !inputs.Contains(t) && outputs.Add(t)))
            {
                augmented.Graph.Output.Add(new ValueInfoProto { Name = tensor });
            }

            File.WriteAllBytes(temporary + ".calibration", augmented.ToByteArray());
            var ranges = Calibrator.Calibrate(temporary + ".calibration", tensors, [.. tensors.Where(t => !inputs.Contains(t))], options, CancellationToken.None);
            var nodes = candidates
                .Where(c => c.Activations.All(a => ranges.ContainsKey(a.Tensor)))
                .Select(c => c.Output is null || ranges.ContainsKey(c.Output) ? c : c with { Output = null })
                .ToList();
            var parameters = nodes
                .SelectMany(n => n.Tensors)
                .Distinct(StringComparer.Ordinal)
                .ToDictionary(t => t, t => QuantizationMath.FromRange(ranges[t].Min, ranges[t].Max, options.ActivationType, symmetric: false), StringComparer.Ordinal);
            QdqRewriter.Apply(model.Graph, nodes, parameters, options);
            QdqQuantizer.WriteMetadata(model, nodes, options);
            return model.ToByteArray();
        }
        finally
        {
            File.Delete(temporary + ".pre");
            File.Delete(temporary + ".calibration");
        }
    }

    // He-uniform, ±sqrt(6 / fan_in): activations keep their scale through the Relu layers.
    private static float[] He(SplitMix64 rng, int count, int fanIn) => rng.NextUniform(count, (float)Math.Sqrt(6.0 / fanIn));

    private static void AssertClose(float[] reference, float[] quantized)
    {
        Assert.Equal(reference.Length, quantized.Length);
        var cosine = Cosine(reference, quantized);
        var maxAbsError = reference.Zip(quantized, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(cosine > MinCosine, $"cosine similarity {cosine:F6} is not above {MinCosine}");
        Assert.True(maxAbsError < MaxAbsError, $"largest absolute error {maxAbsError} is not below {MaxAbsError}");
        // Identical outputs would mean the integer path never ran.
        Assert.True(maxAbsError > 0, "quantized outputs equal the FP32 ones exactly");
    }

    private static (float[] Fp32, float[] Int8) RunBoth(byte[] fp32, byte[] int8, Dictionary<string, long> dimensions)
    {
        using var reference = new InferenceSession(fp32);
        using var quantized = new InferenceSession(int8);
        var shapes = InputGenerator.Shapes(reference.InputMetadata, EvaluationBatch, dimensions);
        var inputs = InputGenerator.Create(reference.InputMetadata, shapes, dimensions, EvaluationSeed);
        try
        {
            return (Run(reference, inputs), Run(quantized, inputs));
        }
        finally
        {
            foreach (var value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }

    private static float[] Run(InferenceSession session, Dictionary<string, OrtValue> inputs)
    {
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, inputs.Keys.ToArray(), inputs.Values.ToArray(), session.OutputNames);
        return Assert.Single(results).GetTensorDataAsSpan<float>().ToArray();
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            normA += (double)a[i] * a[i];
            normB += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(normA * normB);
    }

    // The graph ONNX Runtime runs, saved after its optimizations (extended level: the QDQ fusions,
    // without the machine-specific layout changes of the "all" level).
    private static List<string> OptimizedOpTypes(byte[] model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"benchdaemon-qdq-test-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = path })
            using (new InferenceSession(model, options))
            {
            }

            return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Node.Select(n => n.OpType).ToList();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
