using System.Globalization;
using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>
/// Writes the graph-compiler study's block stacks as ONNX (opset 17). Conv: <c>input</c> float
/// [batch, 3, size, size] → a 3×3 stem convolution to the width (not counted as a block) →
/// depth × (3×3 Conv with bias → BatchNormalization → Relu) → GlobalAveragePool → Flatten →
/// <c>output</c> float [batch, width]. Attention: <c>input</c> float [batch, 10, embedding] →
/// depth × (Q, K, V projections → heads of 64 → softmax(QKᵀ/√64)·V → output projection →
/// residual Add → LayerNormalization → Relu) → <c>output</c> float [batch, 10, embedding].
/// </summary>
/// <remarks>
/// Per block the trainable parameters match the study's table: conv 9·w² + w (bias) + 2·w
/// (BatchNorm scale and shift) = 37,056 at width 64; attention 4·e² + 4·e = 66,048 at 128
/// (LayerNormalization's scale and shift, 2·e, are left out as the study leaves them out).
/// Weights are seeded He-uniform, so a name, precision and seed always give the same bytes.
/// With <c>float16</c> weights are stored as FLOAT16 and the graph computes in half with float IO.
/// </remarks>
public static class BlockModel
{
    /// <summary>Symbolic batch dimension.</summary>
    public const string Batch = "batch";

    /// <summary>Name of the input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the output.</summary>
    public const string OutputName = "output";

    /// <summary>Builds the model of <paramref name="config"/>.</summary>
    public static byte[] Build(BlockConfig config, bool float16 = false, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Writer(config, float16, seed, new OnnxModelBuilder(GraphName(config, float16))).Write().ToBytes();
    }

    /// <summary>
    /// Writes the model of <see cref="Build"/> to <paramref name="destination"/>, the same bytes,
    /// with each weight serialized to a temporary file in <paramref name="scratchDirectory"/> as
    /// it is drawn, so memory holds one weight at a time rather than the model.
    /// </summary>
    public static void Write(BlockConfig config, Stream destination, string scratchDirectory, bool float16 = false, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(destination);
        using var store = OnnxModelBuilder.CreateInitializerStore(scratchDirectory);
        new Writer(config, float16, seed, new OnnxModelBuilder(GraphName(config, float16), OnnxModelBuilder.DefaultOpset, store)).Write().WriteTo(destination);
    }

    /// <summary>Trainable parameters of one block, counted as the study counts them.</summary>
    public static long ParametersPerBlock(BlockConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long w = config.Width;
        return config.Kind == BlockKind.Conv ? (9 * w * w) + w + (2 * w) : (4 * w * w) + (4 * w);
    }

    /// <summary>Trainable parameters of the whole model (stem included for conv).</summary>
    public static long ParameterCount(BlockConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var stem = config.Kind == BlockKind.Conv ? 27L * config.Width : 0;
        var layerNorm = config.Kind == BlockKind.Attention ? 2L * config.Width : 0;
        return stem + (config.Depth * (ParametersPerBlock(config) + layerNorm));
    }

    /// <summary>Multiply-accumulates of one sample.</summary>
    public static long MacsPerSample(BlockConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long w = config.Width;
        if (config.Kind == BlockKind.Conv)
        {
            long pixels = (long)config.ImageSize * config.ImageSize;
            return checked((27 * w * pixels) + (config.Depth * 9 * w * w * pixels));
        }

        long s = BlockConfig.SequenceLength;
        // Projections (4·s·e²) and the two attention products (2·s²·e).
        return checked(config.Depth * ((4 * s * w * w) + (2 * s * s * w)));
    }

    private static string GraphName(BlockConfig config, bool float16) => (float16 ? config.Name + "_fp16" : config.Name).Replace('-', '_');

    private sealed class Writer(BlockConfig config, bool float16, int seed, OnnxModelBuilder model)
    {
        private readonly OnnxModelBuilder _model = model;
        private readonly WeightWriter _weights = new(model, float16);
        private readonly SplitMix64 _rng = new(unchecked((ulong)seed));

        public OnnxModelBuilder Write()
        {
            _model.Metadata("benchdaemon.family", "block")
                .Metadata("benchdaemon.model", config.Name)
                .Metadata("benchdaemon.parameters", ParameterCount(config).ToString(CultureInfo.InvariantCulture))
                .Metadata("benchdaemon.macs_per_sample", MacsPerSample(config).ToString(CultureInfo.InvariantCulture))
                .Metadata("benchdaemon.precision", float16 ? "fp16" : "fp32");
            var w = config.Width;
            if (config.Kind == BlockKind.Conv)
            {
                _model.Input(InputName, OnnxElementType.Float, Batch, 3, config.ImageSize, config.ImageSize)
                    .Output(OutputName, OnnxElementType.Float, Batch, w);
            }
            else
            {
                _model.Input(InputName, OnnxElementType.Float, Batch, BlockConfig.SequenceLength, w)
                    .Output(OutputName, OnnxElementType.Float, Batch, BlockConfig.SequenceLength, w);
            }

            var x = InputName;
            if (float16)
            {
                _model.Node("Cast", [x], ["input_fp16"], "input_cast", attributes: OnnxAttribute.ElementType("to", OnnxElementType.Float16));
                x = "input_fp16";
            }

            if (config.Kind == BlockKind.Conv)
            {
                x = Conv("stem", x, 3, w);
                for (var i = 0; i < config.Depth; i++)
                {
                    x = ConvBlock($"block{i}", x, w);
                }

                _model.Node("GlobalAveragePool", [x], ["pool"], "pool")
                    .Node("Flatten", ["pool"], [float16 ? "output_fp16" : OutputName], "flatten", attributes: OnnxAttribute.Int("axis", 1));
            }
            else
            {
                Initializer("heads_shape", [4], [0, 0, w / BlockConfig.HeadDimension, BlockConfig.HeadDimension]);
                Initializer("merge_shape", [3], [0, 0, w]);
                Scalar("scale", (float)(1.0 / Math.Sqrt(BlockConfig.HeadDimension)));
                for (var i = 0; i < config.Depth; i++)
                {
                    x = AttentionBlock($"block{i}", x, w, last: i == config.Depth - 1);
                }
            }

            if (float16)
            {
                _model.Node("Cast", ["output_fp16"], [OutputName], "output_cast", attributes: OnnxAttribute.ElementType("to", OnnxElementType.Float));
            }

            return _model;
        }

        private string ConvBlock(string name, string x, int w)
        {
            var y = Conv($"{name}.conv", x, w, w, bias: true);
            _weights.Filled($"{name}.bn.weight", [w], 1f);
            _weights.Filled($"{name}.bn.bias", [w], 0f);
            _weights.Filled($"{name}.bn.running_mean", [w], 0f);
            _weights.Filled($"{name}.bn.running_var", [w], 1f);
            _model.Node("BatchNormalization", [y, $"{name}.bn.weight", $"{name}.bn.bias", $"{name}.bn.running_mean", $"{name}.bn.running_var"], [$"{name}.bn"], $"{name}.bn");
            _model.Node("Relu", [$"{name}.bn"], [$"{name}.relu"], $"{name}.relu");
            return $"{name}.relu";
        }

        private string Conv(string name, string x, int inChannels, int outChannels, bool bias = false)
        {
            var fanIn = inChannels * 9;
            _weights.Uniform($"{name}.weight", [outChannels, inChannels, 3, 3], _rng, (float)Math.Sqrt(6.0 / fanIn));
            string[] inputs = [x, $"{name}.weight"];
            if (bias)
            {
                _weights.Uniform($"{name}.bias", [outChannels], _rng, (float)(1.0 / Math.Sqrt(fanIn)));
                inputs = [x, $"{name}.weight", $"{name}.bias"];
            }

            _model.Node("Conv", inputs, [name], name, attributes: [OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("pads", 1, 1, 1, 1)]);
            return name;
        }

        private string AttentionBlock(string name, string x, int e, bool last)
        {
            string Project(string which, string source)
            {
                var limit = (float)Math.Sqrt(6.0 / (2.0 * e));
                _weights.Uniform($"{name}.{which}.weight", [e, e], _rng, limit);
                _weights.Uniform($"{name}.{which}.bias", [e], _rng, (float)(1.0 / Math.Sqrt(e)));
                _model.Node("MatMul", [source, $"{name}.{which}.weight"], [$"{name}.{which}.mm"], $"{name}.{which}.mm")
                    .Node("Add", [$"{name}.{which}.mm", $"{name}.{which}.bias"], [$"{name}.{which}"], $"{name}.{which}.add");
                return $"{name}.{which}";
            }

            string Heads(string source, long[] perm)
            {
                _model.Node("Reshape", [source, "heads_shape"], [$"{source}.heads"], $"{source}.reshape")
                    .Node("Transpose", [$"{source}.heads"], [$"{source}.t"], $"{source}.transpose", attributes: OnnxAttribute.Ints("perm", perm));
                return $"{source}.t";
            }

            var q = Heads(Project("q", x), [0, 2, 1, 3]);
            var k = Heads(Project("k", x), [0, 2, 3, 1]);
            var v = Heads(Project("v", x), [0, 2, 1, 3]);
            _model.Node("MatMul", [q, k], [$"{name}.scores"], $"{name}.scores")
                .Node("Mul", [$"{name}.scores", "scale"], [$"{name}.scaled"], $"{name}.scaled")
                .Node("Softmax", [$"{name}.scaled"], [$"{name}.attn"], $"{name}.softmax", attributes: OnnxAttribute.Int("axis", -1))
                .Node("MatMul", [$"{name}.attn", v], [$"{name}.context"], $"{name}.context")
                .Node("Transpose", [$"{name}.context"], [$"{name}.context.t"], $"{name}.context.transpose", attributes: OnnxAttribute.Ints("perm", 0, 2, 1, 3))
                .Node("Reshape", [$"{name}.context.t", "merge_shape"], [$"{name}.merged"], $"{name}.merge");
            var o = Project("out", $"{name}.merged");
            _weights.Filled($"{name}.ln.weight", [e], 1f);
            _weights.Filled($"{name}.ln.bias", [e], 0f);
            var output = last && float16 ? "output_fp16" : last ? OutputName : $"{name}.relu";
            _model.Node("Add", [o, x], [$"{name}.residual"], $"{name}.residual")
                .Node("LayerNormalization", [$"{name}.residual", $"{name}.ln.weight", $"{name}.ln.bias"], [$"{name}.ln"], $"{name}.ln", attributes: OnnxAttribute.Int("axis", -1))
                .Node("Relu", [$"{name}.ln"], [output], $"{name}.relu");
            return output;
        }

        private void Initializer(string name, long[] dims, long[] values) => _model.Initializer(name, dims, values);

        private void Scalar(string name, float value)
        {
            if (float16)
            {
                _model.Initializer(name, [], [(Half)value]);
            }
            else
            {
                _model.Initializer(name, [], [value]);
            }
        }
    }
}
