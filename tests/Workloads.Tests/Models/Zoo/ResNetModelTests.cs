using System.Security.Cryptography;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using BenchDaemon.Workloads.Models.Zoo;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Models.Zoo;

public sealed class ResNetModelTests
{
    // SHA-256 of ResNetModel.Build(ResNetConfig.Mini). If this changes, every stored reference
    // output and history entry keyed by the model changes with it: change it on purpose only.
    private const string MiniSha256 = "57670c3f85c47e37c6b06c243b6ef55dd5072cdf4aed74dd029f44306c54d43b";

    // torchvision: sum(p.numel() for p in resnet50().parameters()).
    private const long ResNet50Parameters = 25_557_032;

    // Conv and FC multiply-accumulates at 224×224; torchvision's model card lists 4.09 GFLOPS
    // (which it counts as MACs) for ResNet50_Weights.IMAGENET1K_V1.
    private const long ResNet50Macs = 4_089_184_256;

    // Building ResNet-50 takes seconds and 100 MB, so the tests that need it share one build.
    private static readonly Lazy<byte[]> s_resNet50 = new(() => ResNetModel.Build(ResNetConfig.ResNet50));
    private static readonly Lazy<ModelProto> s_resNet50Proto = new(() => ModelProto.Parser.ParseFrom(s_resNet50.Value));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Build_MiniFloat32_RunsWithFiniteLogitsOfBatchByClasses(int batch)
    {
        var config = ResNetConfig.Mini;

        var (logits, shape) = Run(ResNetModel.Build(config), config, UniformImages(config, batch));

        Assert.Equal([batch, config.Classes], shape);
        Assert.All(logits, v => Assert.True(float.IsFinite(v), $"non-finite logit {v}"));
        // Different images must give different scores, or the network ignores its input.
        Assert.True(batch == 1 || !logits.AsSpan(0, config.Classes).SequenceEqual(logits.AsSpan(config.Classes, config.Classes)));
    }

    [Fact]
    public void Build_MiniFloat32_UniformImagesGiveLogitsOfModerateSpread()
    {
        var config = ResNetConfig.Mini;

        var (logits, _) = Run(ResNetModel.Build(config), config, UniformImages(config, 8));

        // Measured 0.54 for seed 1: untrained weights scaled to keep activations near unit size.
        AssertModerateSpread(logits);
    }

    [Fact]
    public void Build_MiniFloat16_RunsOnCpuCloseToFloat32()
    {
        var config = ResNetConfig.Mini;
        var images = UniformImages(config, 4);

        var (fp32, _) = Run(ResNetModel.Build(config), config, images);
        var (fp16, shape) = Run(ResNetModel.Build(config, float16: true), config, images);

        Assert.Equal([4, config.Classes], shape);
        Assert.All(fp16, v => Assert.True(float.IsFinite(v), $"non-finite logit {v}"));
        var maxAbsError = fp32.Zip(fp16, (a, b) => Math.Abs(a - b)).Max();
        // Measured 8.5e-4 on logits up to 1.26. On CPU the half graph computes in float (see the
        // next test), so the difference is the rounding of weights and input to half: small, but never zero.
        Assert.InRange(maxAbsError, 1e-6f, 1e-2f);
    }

    /// <summary>
    /// ONNX Runtime 1.31.1's CPU provider on x86-64 has no FLOAT16 kernel for any compute
    /// operator ResNet uses. It does not refuse such a node: its InsertCastTransformer wraps
    /// it in Casts to and from FLOAT (values named <c>InsertedPrecisionFreeCast_*</c>) and runs
    /// the float kernel. This probes each operator alone, with half graph inputs and outputs so
    /// no neighbouring Cast is involved, and reads back the graph ORT actually runs. If a later
    /// ORT gains a half kernel, its row fails here and the remark on
    /// <see cref="ResNetModel.Build"/> must change with it. Flatten, which only moves data,
    /// shows the probe does see a half kernel where there is one.
    /// </summary>
    [Theory]
    [InlineData("Conv", true)]
    [InlineData("BatchNormalization", true)]
    [InlineData("Relu", true)]
    [InlineData("MaxPool", true)]
    [InlineData("Add", true)]
    [InlineData("GlobalAveragePool", true)]
    [InlineData("Gemm", true)]
    [InlineData("Flatten", false)]
    public void Build_Float16OpOnCpu_RunsInFloatWhereOrtLacksAHalfKernel(string opType, bool runsInFloat)
    {
        var (model, shape) = SingleHalfOp(opType);

        var ran = RunAndReadOptimizedGraph(model, shape);

        var node = Assert.Single(ran.Node, n => n.OpType == opType);
        Assert.Equal(runsInFloat, node.Input.Concat(node.Output).Any(v => v.StartsWith("InsertedPrecisionFreeCast_", StringComparison.Ordinal)));
        Assert.Equal(runsInFloat, ran.Node.Any(n => n.OpType == "Cast"));
    }

    [Fact]
    public void Build_MiniFloat16_StoresEveryWeightAsHalfAndKeepsFloatIo()
    {
        var model = ModelProto.Parser.ParseFrom(ResNetModel.Build(ResNetConfig.Mini, float16: true));

        Assert.All(model.Graph.Initializer, t => Assert.Equal((int)OnnxElementType.Float16, t.DataType));
        Assert.Equal((int)OnnxElementType.Float, model.Graph.Input.Single().Type.TensorType.ElemType);
        Assert.Equal((int)OnnxElementType.Float, model.Graph.Output.Single().Type.TensorType.ElemType);
        Assert.Equal("Cast", model.Graph.Node[0].OpType);
        Assert.Equal("Cast", model.Graph.Node[^1].OpType);
        Assert.Equal(2, model.Graph.Node.Count(n => n.OpType == "Cast"));
    }

    [Fact]
    public void Build_Mini_DeclaresSymbolicBatchAndMetadata()
    {
        var config = ResNetConfig.Mini;
        using var session = new InferenceSession(ResNetModel.Build(config));

        var input = session.InputMetadata[ResNetModel.InputName];
        Assert.Equal([-1, 3, config.ImageSize, config.ImageSize], input.Dimensions);
        Assert.Equal(ResNetModel.Batch, input.SymbolicDimensions[0]);
        Assert.Equal([-1, config.Classes], session.OutputMetadata[ResNetModel.OutputName].Dimensions);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("resnet", metadata["benchdaemon.family"]);
        Assert.Equal("resnet-mini", metadata["benchdaemon.model"]);
        Assert.Equal("fp32", metadata["benchdaemon.precision"]);
        Assert.Equal(ResNetModel.ParameterCount(config).ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["benchdaemon.parameters"]);
        Assert.Equal(ResNetModel.MacsPerSample(config).ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["benchdaemon.macs_per_sample"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Write_Mini_StreamsTheBytesOfBuild(bool float16)
    {
        StreamedModel.AssertWritesTheBytesOf(
            ResNetModel.Build(ResNetConfig.Mini, float16),
            (stream, scratch) => ResNetModel.Write(ResNetConfig.Mini, stream, scratch, float16));
    }

    [Fact]
    public void Build_MiniFloat32_HasRecordedSha256()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(ResNetModel.Build(ResNetConfig.Mini)));

        Assert.Equal(MiniSha256, hash);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Build_SameConfigTwice_GivesIdenticalBytes(bool float16)
    {
        Assert.Equal(ResNetModel.Build(ResNetConfig.Mini, float16), ResNetModel.Build(ResNetConfig.Mini, float16));
    }

    [Fact]
    public void Build_DifferentSeed_GivesDifferentWeights()
    {
        Assert.NotEqual(ResNetModel.Build(ResNetConfig.Mini, seed: 1), ResNetModel.Build(ResNetConfig.Mini, seed: 2));
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 1, 0 })]
    public void Build_StageWithoutBlocks_Throws(int[] blocks)
    {
        Assert.Throws<ArgumentException>(() => ResNetModel.Build(ResNetConfig.Mini with { Blocks = blocks }));
    }

    [Fact]
    public void ParameterCount_ResNet50_IsTorchvisionCount()
    {
        Assert.Equal(ResNet50Parameters, ResNetModel.ParameterCount(ResNetConfig.ResNet50));
    }

    [Fact]
    public void ParameterCount_ResNet50_EqualsBuiltGraphLessBatchNormBuffers()
    {
        Assert.Equal(ResNetModel.ParameterCount(ResNetConfig.ResNet50), TrainableParameters(s_resNet50Proto.Value));
    }

    [Fact]
    public void ParameterCount_Mini_EqualsBuiltGraphLessBatchNormBuffers()
    {
        var model = ModelProto.Parser.ParseFrom(ResNetModel.Build(ResNetConfig.Mini));

        Assert.Equal(ResNetModel.ParameterCount(ResNetConfig.Mini), TrainableParameters(model));
    }

    [Fact]
    public void MacsPerSample_ResNet50_IsAbout4Point1Giga()
    {
        var macs = ResNetModel.MacsPerSample(ResNetConfig.ResNet50);

        Assert.InRange((double)macs, 4.0e9, 4.2e9);
        Assert.Equal(ResNet50Macs, macs);
    }

    [Fact]
    public void Build_ResNet50_HasTorchvisionLayout()
    {
        var graph = s_resNet50Proto.Value.Graph;

        // [3, 4, 6, 3] bottlenecks of three convolutions, the stem and one projection per stage.
        Assert.Equal(1 + (16 * 3) + 4, graph.Node.Count(n => n.OpType == "Conv"));
        Assert.Equal(1 + (16 * 3) + 4, graph.Node.Count(n => n.OpType == "BatchNormalization"));
        Assert.Equal(16, graph.Node.Count(n => n.OpType == "Add"));
        Assert.Equal([1000L, 2048L], graph.Initializer.Single(t => t.Name == "fc.weight").Dims);
        Assert.Equal([64L, 3L, 7L, 7L], graph.Initializer.Single(t => t.Name == "conv1.weight").Dims);
        Assert.Equal([2048L, 1024L, 1L, 1L], graph.Initializer.Single(t => t.Name == "layer4.0.downsample.0.weight").Dims);
    }

    [Theory]
    [InlineData("layer1.0.conv2", 1)]
    [InlineData("layer2.0.conv1", 1)]
    [InlineData("layer2.0.conv2", 2)]
    [InlineData("layer2.0.downsample.0", 2)]
    [InlineData("layer2.1.conv2", 1)]
    [InlineData("layer4.0.conv2", 2)]
    public void Build_ResNet50_StridesTheThreeByThreeConvolution(string node, long stride)
    {
        // v1.5 (torchvision) downsamples on the 3×3 convolution; v1 would stride conv1.
        var conv = s_resNet50Proto.Value.Graph.Node.Single(n => n.Name == node);

        Assert.Equal([stride, stride], conv.Attribute.Single(a => a.Name == "strides").Ints);
    }

    [Fact]
    public void Build_ResNet50Float32_OneImageGivesFiniteLogitsOfModerateSpread()
    {
        // The only full-size inference in the suite: 0.5–1 s on two shared cores, after a 4 s build.
        var config = ResNetConfig.ResNet50;

        var (logits, shape) = Run(s_resNet50.Value, config, UniformImages(config, 1));

        Assert.Equal([1, 1000], shape);
        AssertModerateSpread(logits);
    }

    private static (float[] Data, long[] Shape) Run(byte[] model, ResNetConfig config, float[] images) =>
        OrtHarness.Run(
            model,
            (ResNetModel.InputName, OrtHarness.Floats(images, images.Length / (3 * config.ImageSize * config.ImageSize), 3, config.ImageSize, config.ImageSize)));

    private static float[] UniformImages(ResNetConfig config, int batch) =>
        new SplitMix64(7).NextUniform(batch * 3 * config.ImageSize * config.ImageSize, 1f);

    private static void AssertModerateSpread(float[] logits)
    {
        Assert.All(logits, v => Assert.True(float.IsFinite(v), $"non-finite logit {v}"));
        var mean = logits.Average();
        var std = Math.Sqrt(logits.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(std, 1e-3, 1e3);
    }

    // PyTorch counts BatchNormalization's running statistics as buffers, not parameters.
    private static long TrainableParameters(ModelProto model) =>
        model.Graph.Initializer
            .Where(t => !t.Name.EndsWith(".running_mean", StringComparison.Ordinal) && !t.Name.EndsWith(".running_var", StringComparison.Ordinal))
            .Sum(t => t.Dims.Aggregate(1L, (count, dim) => count * dim));

    /// <summary>One node of <paramref name="opType"/> as ResNet uses it, with FLOAT16 graph input, output and weights.</summary>
    private static (byte[] Model, long[] InputShape) SingleHalfOp(string opType)
    {
        long[] image = [1, 4, 8, 8];
        var model = new OnnxModelBuilder("probe").Input("x", OnnxElementType.Float16, [.. image.Select(d => (OnnxDim)d)]);
        var shape = image;
        switch (opType)
        {
            case "Conv":
                model.Initializer("w", [4, 4, 3, 3], new Half[144])
                    .Node(opType, ["x", "w"], ["y"], attributes: [OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("pads", 1, 1, 1, 1)]);
                break;
            case "BatchNormalization":
                model.Initializer("scale", [4], new Half[4]).Initializer("bias", [4], new Half[4])
                    .Initializer("mean", [4], new Half[4]).Initializer("var", [4], new Half[4])
                    .Node(opType, ["x", "scale", "bias", "mean", "var"], ["y"]);
                break;
            case "MaxPool":
                model.Node(opType, ["x"], ["y"], attributes: [OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("pads", 1, 1, 1, 1), OnnxAttribute.Ints("strides", 2, 2)]);
                break;
            case "Add":
                model.Node(opType, ["x", "x"], ["y"]);
                break;
            case "Gemm":
                shape = [2, 4];
                model = new OnnxModelBuilder("probe").Input("x", OnnxElementType.Float16, 2, 4)
                    .Initializer("w", [3, 4], new Half[12]).Initializer("b", [3], new Half[3])
                    .Node(opType, ["x", "w", "b"], ["y"], attributes: OnnxAttribute.Int("transB", 1));
                break;
            default:
                model.Node(opType, ["x"], ["y"]);
                break;
        }

        return (model.Output("y", OnnxElementType.Float16).ToBytes(), shape);
    }

    /// <summary>Runs <paramref name="model"/> once on CPU, unoptimized, and returns the graph ORT executed.</summary>
    private static GraphProto RunAndReadOptimizedGraph(byte[] model, long[] inputShape)
    {
        var path = Path.Combine(Path.GetTempPath(), $"benchdaemon-resnet-probe-{Guid.NewGuid():N}.onnx");
        try
        {
            // No graph optimisation, so the only rewrite is the one partitioning always does.
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, OptimizedModelFilePath = path })
            using (var session = new InferenceSession(model, options))
            using (var input = OrtValue.CreateTensorValueFromMemory(new Float16[inputShape.Aggregate(1L, (a, d) => a * d)], inputShape))
            using (var runOptions = new RunOptions())
            using (var results = session.Run(runOptions, ["x"], [input], session.OutputNames))
            {
                Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float16, Assert.Single(results).GetTensorTypeAndShape().ElementDataType);
            }

            return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
