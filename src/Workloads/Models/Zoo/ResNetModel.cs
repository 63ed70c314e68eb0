using System.Globalization;
using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>
/// Writes a bottleneck ResNet as ONNX, laid out as torchvision's <c>resnet50</c> (ResNet v1.5)
/// exports from PyTorch: a 7×7/2 stem convolution, BatchNormalization, Relu and a 3×3/2
/// MaxPool; stages of bottleneck blocks (1×1 → 3×3 → 1×1 convolutions, four times expansion)
/// whose first block in every stage after the first puts its stride 2 on the 3×3 convolution
/// (the v1.5 change from the paper's v1, which strides the first 1×1), with a 1×1 convolution
/// and BatchNormalization as the shortcut wherever the shape changes; then GlobalAveragePool,
/// Flatten and a Gemm to the classes.
/// </summary>
/// <remarks>
/// <para>
/// Input <c>input</c> float [batch, 3, ImageSize, ImageSize], output <c>logits</c> float
/// [batch, Classes], opset 17. Initializers carry torchvision's state-dict names
/// (<c>layer1.0.conv1.weight</c>, <c>layer1.0.downsample.1.running_var</c>, <c>fc.bias</c>...).
/// BatchNormalization stays a node with its own scale, bias, mean and variance, as in a
/// PyTorch export; ONNX Runtime folds it into the preceding convolution when it optimises
/// the graph, so it costs nothing at run time.
/// </para>
/// <para>
/// Weights are seeded from <see cref="SplitMix64"/>, so a config, precision and seed always
/// give the same bytes. They are not trained, but are scaled so activations keep their size
/// through every block: convolutions are He-uniform (±sqrt(6 / fan_in), torchvision's
/// kaiming init for a ReLU network), every BatchNormalization starts as the identity
/// (mean 0, variance 1, shift 0, scale 1) except the last one of each residual branch, whose
/// scale is <see cref="ResidualBranchScale"/> so each block adds a small correction to its
/// shortcut rather than doubling it (torchvision's <c>zero_init_residual</c> in spirit, but
/// not zero, so every weight still shapes the output). The classifier uses PyTorch's
/// <c>nn.Linear</c> default, ±1/sqrt(fan_in).
/// </para>
/// </remarks>
public static class ResNetModel
{
    /// <summary>Symbolic batch dimension of <c>input</c> and <c>logits</c>.</summary>
    public const string Batch = "batch";

    /// <summary>Name of the image input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the class-score output.</summary>
    public const string OutputName = "logits";

    /// <summary>Scale (gamma) of the last BatchNormalization of every residual branch.</summary>
    public const float ResidualBranchScale = 0.2f;

    /// <summary>Output channels of a bottleneck block per inner (3×3) channel.</summary>
    public const int Expansion = 4;

    /// <summary>Input channels: RGB.</summary>
    public const int ImageChannels = 3;

    // Widths double per stage, so a deeper config would overflow the channel counts.
    private const int MaxStages = 16;

    // PyTorch's nn.BatchNorm2d default, written out as an export writes it.
    private const float BatchNormEpsilon = 1e-5f;

    /// <summary>
    /// Builds the model of <paramref name="config"/>. With <paramref name="float16"/> every
    /// weight and BatchNormalization parameter is stored as FLOAT16 and the graph computes in
    /// half precision with float IO: a Cast to FLOAT16 after <c>input</c> and back to FLOAT
    /// before <c>logits</c>, as <see cref="TinyModels.Mlp"/> does, so callers feed and read
    /// floats either way. The half weights are the float weights rounded, so the two
    /// precisions of one seed are the same network.
    /// </summary>
    /// <remarks>
    /// ONNX Runtime 1.31.1's CPU provider on x86-64 has no FLOAT16 kernel for Conv,
    /// BatchNormalization, Relu, MaxPool, Add, GlobalAveragePool or Gemm (only the data-moving
    /// Flatten and Cast take half). It does not refuse the model: while partitioning, its
    /// InsertCastTransformer wraps each such node in Casts to and from FLOAT and runs the float
    /// kernel, so the half model loads and runs on CPU but computes in float there, on weights
    /// rounded to half. The half graph is meant for GPU providers, which have the half kernels.
    /// </remarks>
    public static byte[] Build(ResNetConfig config, bool float16 = false, int seed = 1)
    {
        Validate(config);
        return new GraphWriter(config, float16, seed, new OnnxModelBuilder(GraphName(config, float16))).Write().ToBytes();
    }

    /// <summary>
    /// Writes the model of <see cref="Build"/> to <paramref name="destination"/>, the same bytes,
    /// with each weight serialized to a temporary file in <paramref name="scratchDirectory"/> as
    /// it is drawn (<see cref="OnnxModelBuilder.CreateInitializerStore"/>), so memory holds one
    /// weight at a time rather than the model.
    /// </summary>
    public static void Write(ResNetConfig config, Stream destination, string scratchDirectory, bool float16 = false, int seed = 1)
    {
        Validate(config);
        ArgumentNullException.ThrowIfNull(destination);
        using var store = OnnxModelBuilder.CreateInitializerStore(scratchDirectory);
        new GraphWriter(config, float16, seed, new OnnxModelBuilder(GraphName(config, float16), OnnxModelBuilder.DefaultOpset, store)).Write().WriteTo(destination);
    }

    /// <summary>
    /// Trainable parameters of <paramref name="config"/>, counted from the architecture as
    /// PyTorch counts them: convolution weights (the convolutions have no bias), the scale and
    /// shift of every BatchNormalization, and the classifier's weight and bias. The running
    /// mean and variance of BatchNormalization are buffers, not parameters, so they are left
    /// out although the model stores them as initializers.
    /// 25,557,032 for <see cref="ResNetConfig.ResNet50"/>, as torchvision reports.
    /// </summary>
    public static long ParameterCount(ResNetConfig config)
    {
        Validate(config);
        var count = ConvParameters(ImageChannels, config.BaseWidth, 7) + BatchNormParameters(config.BaseWidth);
        long inChannels = config.BaseWidth;
        for (var stage = 0; stage < config.Blocks.Length; stage++)
        {
            var width = StageWidth(config, stage);
            var outChannels = checked(width * Expansion);
            for (var block = 0; block < config.Blocks[stage]; block++)
            {
                var stride = block == 0 && stage > 0 ? 2 : 1;
                count = checked(count
                    + ConvParameters(inChannels, width, 1) + BatchNormParameters(width)
                    + ConvParameters(width, width, 3) + BatchNormParameters(width)
                    + ConvParameters(width, outChannels, 1) + BatchNormParameters(outChannels));
                if (NeedsProjection(inChannels, outChannels, stride))
                {
                    count = checked(count + ConvParameters(inChannels, outChannels, 1) + BatchNormParameters(outChannels));
                }

                inChannels = outChannels;
            }
        }

        return checked(count + (inChannels * config.Classes) + config.Classes);
    }

    /// <summary>
    /// Multiply-accumulates of one image through <paramref name="config"/>: for every
    /// convolution, out channels × in channels × kernel area × output pixels, plus the
    /// classifier's in × out. BatchNormalization, Relu, the residual Add and pooling are not
    /// counted: they are a fraction of a percent, and ONNX Runtime folds BatchNormalization
    /// away. 4,089,184,256 (≈ 4.09 G) for <see cref="ResNetConfig.ResNet50"/> at 224×224,
    /// the figure usually quoted as "4.1 GFLOPs" for ResNet-50.
    /// </summary>
    public static long MacsPerSample(ResNetConfig config)
    {
        Validate(config);
        long size = ConvOutput(config.ImageSize, 7, 2, 3);
        var macs = ConvMacs(ImageChannels, config.BaseWidth, 7, size);
        size = ConvOutput(size, 3, 2, 1); // max pool
        long inChannels = config.BaseWidth;
        for (var stage = 0; stage < config.Blocks.Length; stage++)
        {
            var width = StageWidth(config, stage);
            var outChannels = checked(width * Expansion);
            for (var block = 0; block < config.Blocks[stage]; block++)
            {
                var stride = block == 0 && stage > 0 ? 2 : 1;
                var outSize = ConvOutput(size, 3, stride, 1);
                macs = checked(macs
                    + ConvMacs(inChannels, width, 1, size)
                    + ConvMacs(width, width, 3, outSize)
                    + ConvMacs(width, outChannels, 1, outSize));
                if (NeedsProjection(inChannels, outChannels, stride))
                {
                    macs = checked(macs + ConvMacs(inChannels, outChannels, 1, outSize));
                }

                inChannels = outChannels;
                size = outSize;
            }
        }

        return checked(macs + (inChannels * config.Classes));
    }

    private static void Validate(ResNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(config.Name, nameof(config));
        ArgumentNullException.ThrowIfNull(config.Blocks, nameof(config));
        if (config.Blocks.Length == 0 || Array.Exists(config.Blocks, b => b < 1))
        {
            throw new ArgumentException(
                $"ResNet '{config.Name}' needs at least one stage and at least one block in each; got [{string.Join(", ", config.Blocks)}].",
                nameof(config));
        }

        if (config.BaseWidth < 1 || config.ImageSize < 1 || config.Classes < 1)
        {
            throw new ArgumentException(
                $"ResNet '{config.Name}' needs a positive base width, image size and class count; got {config.BaseWidth}, {config.ImageSize} and {config.Classes}.",
                nameof(config));
        }

        // Stage widths double; the widest block output must still fit the int dims and array sizes.
        if (config.Blocks.Length > MaxStages || ((long)config.BaseWidth << (config.Blocks.Length - 1)) * Expansion > int.MaxValue)
        {
            throw new ArgumentException(
                $"ResNet '{config.Name}' is too wide: {config.Blocks.Length} stages from base width {config.BaseWidth}.",
                nameof(config));
        }
    }

    private static int StageWidth(ResNetConfig config, int stage) => config.BaseWidth << stage;

    // torchvision adds the downsample branch exactly when the stride or the channel count changes.
    private static bool NeedsProjection(long inChannels, long outChannels, int stride) => stride != 1 || inChannels != outChannels;

    private static long ConvOutput(long size, int kernel, int stride, int pad) => ((size + (2 * pad) - kernel) / stride) + 1;

    private static long ConvParameters(long inChannels, long outChannels, int kernel) => checked(inChannels * outChannels * kernel * kernel);

    private static long ConvMacs(long inChannels, long outChannels, int kernel, long outSize) =>
        checked(ConvParameters(inChannels, outChannels, kernel) * outSize * outSize);

    private static long BatchNormParameters(long channels) => 2 * channels;

    private static string GraphName(ResNetConfig config, bool float16) => float16 ? $"{config.Name}_fp16" : config.Name;

    /// <summary>Emits one model into a builder; holds the weight generator and the precision.</summary>
    private sealed class GraphWriter(ResNetConfig config, bool float16, int seed, OnnxModelBuilder model)
    {
        private readonly OnnxModelBuilder _model = model;
        private readonly WeightWriter _weights = new(model, float16);
        private readonly SplitMix64 _rng = new(unchecked((ulong)seed));

        public OnnxModelBuilder Write()
        {
            _model.Metadata("benchdaemon.family", "resnet")
                .Metadata("benchdaemon.model", config.Name)
                .Metadata("benchdaemon.parameters", ParameterCount(config).ToString(CultureInfo.InvariantCulture))
                .Metadata("benchdaemon.macs_per_sample", MacsPerSample(config).ToString(CultureInfo.InvariantCulture))
                .Metadata("benchdaemon.precision", float16 ? "fp16" : "fp32")
                .Input(InputName, OnnxElementType.Float, Batch, ImageChannels, config.ImageSize, config.ImageSize)
                .Output(OutputName, OnnxElementType.Float, Batch, config.Classes);

            var x = InputName;
            if (float16)
            {
                _model.Node("Cast", [x], ["input_fp16"], "input_cast", attributes: OnnxAttribute.ElementType("to", OnnxElementType.Float16));
                x = "input_fp16";
            }

            x = Conv("conv1", x, ImageChannels, config.BaseWidth, 7, 2);
            x = BatchNorm("bn1", x, config.BaseWidth, 1f);
            x = Relu("relu", x);
            _model.Node(
                "MaxPool",
                [x],
                ["maxpool"],
                "maxpool",
                attributes:
                [
                    OnnxAttribute.Ints("kernel_shape", 3, 3),
                    OnnxAttribute.Ints("pads", 1, 1, 1, 1),
                    OnnxAttribute.Ints("strides", 2, 2),
                ]);
            x = "maxpool";

            var inChannels = config.BaseWidth;
            for (var stage = 0; stage < config.Blocks.Length; stage++)
            {
                var width = StageWidth(config, stage);
                for (var block = 0; block < config.Blocks[stage]; block++)
                {
                    var stride = block == 0 && stage > 0 ? 2 : 1;
                    x = Bottleneck($"layer{stage + 1}.{block}", x, inChannels, width, stride);
                    inChannels = width * Expansion;
                }
            }

            var logits = float16 ? "logits_fp16" : OutputName;
            _model.Node("GlobalAveragePool", [x], ["avgpool"], "avgpool")
                .Node("Flatten", ["avgpool"], ["flatten"], "flatten", attributes: OnnxAttribute.Int("axis", 1));
            // nn.Linear keeps its weight as [out, in]; PyTorch exports it as Gemm with transB.
            var fcLimit = (float)(1.0 / Math.Sqrt(inChannels));
            _weights.Uniform("fc.weight", [config.Classes, inChannels], _rng, fcLimit);
            _weights.Uniform("fc.bias", [config.Classes], _rng, fcLimit);
            _model.Node(
                "Gemm",
                ["flatten", "fc.weight", "fc.bias"],
                [logits],
                "fc",
                attributes: [OnnxAttribute.Float("alpha", 1f), OnnxAttribute.Float("beta", 1f), OnnxAttribute.Int("transB", 1)]);
            if (float16)
            {
                _model.Node("Cast", [logits], [OutputName], "output_cast", attributes: OnnxAttribute.ElementType("to", OnnxElementType.Float));
            }

            return _model;
        }

        private string Bottleneck(string prefix, string x, int inChannels, int width, int stride)
        {
            var outChannels = width * Expansion;
            var y = Conv($"{prefix}.conv1", x, inChannels, width, 1, 1);
            y = BatchNorm($"{prefix}.bn1", y, width, 1f);
            y = Relu($"{prefix}.relu1", y);
            // v1.5: the stride sits on the 3×3 convolution, not on the first 1×1.
            y = Conv($"{prefix}.conv2", y, width, width, 3, stride);
            y = BatchNorm($"{prefix}.bn2", y, width, 1f);
            y = Relu($"{prefix}.relu2", y);
            y = Conv($"{prefix}.conv3", y, width, outChannels, 1, 1);
            y = BatchNorm($"{prefix}.bn3", y, outChannels, ResidualBranchScale);

            var shortcut = x;
            if (NeedsProjection(inChannels, outChannels, stride))
            {
                shortcut = Conv($"{prefix}.downsample.0", x, inChannels, outChannels, 1, stride);
                shortcut = BatchNorm($"{prefix}.downsample.1", shortcut, outChannels, 1f);
            }

            _model.Node("Add", [y, shortcut], [$"{prefix}.add"], $"{prefix}.add");
            return Relu($"{prefix}.relu3", $"{prefix}.add");
        }

        private string Conv(string name, string x, int inChannels, int outChannels, int kernel, int stride)
        {
            var fanIn = inChannels * kernel * kernel;
            _weights.Uniform($"{name}.weight", [outChannels, inChannels, kernel, kernel], _rng, (float)Math.Sqrt(6.0 / fanIn));
            var pad = kernel / 2;
            _model.Node(
                "Conv",
                [x, $"{name}.weight"],
                [name],
                name,
                attributes:
                [
                    OnnxAttribute.Ints("kernel_shape", kernel, kernel),
                    OnnxAttribute.Ints("pads", pad, pad, pad, pad),
                    OnnxAttribute.Ints("strides", stride, stride),
                ]);
            return name;
        }

        private string BatchNorm(string name, string x, int channels, float scale)
        {
            _weights.Filled($"{name}.weight", [channels], scale);
            _weights.Filled($"{name}.bias", [channels], 0f);
            _weights.Filled($"{name}.running_mean", [channels], 0f);
            _weights.Filled($"{name}.running_var", [channels], 1f);
            _model.Node(
                "BatchNormalization",
                [x, $"{name}.weight", $"{name}.bias", $"{name}.running_mean", $"{name}.running_var"],
                [name],
                name,
                attributes: OnnxAttribute.Float("epsilon", BatchNormEpsilon));
            return name;
        }

        private string Relu(string name, string x)
        {
            _model.Node("Relu", [x], [name], name);
            return name;
        }
    }
}
