using System.Globalization;
using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>
/// The BERT encoder of HuggingFace's <c>BertModel</c> (with its pooler) written as an ONNX
/// graph from code, with deterministic weights instead of trained ones: the same operators,
/// shapes and arithmetic as an exported <c>bert-base-uncased</c>, so it costs the same to run,
/// without a download.
/// </summary>
/// <remarks>
/// <para>
/// Inputs <c>input_ids</c>, <c>attention_mask</c> and <c>token_type_ids</c>, all int64
/// [<see cref="Batch"/>, <see cref="Sequence"/>]; outputs <c>last_hidden_state</c> float
/// [batch, sequence, hidden] and <c>pooler_output</c> float [batch, hidden]. Opset 17, the
/// first with <c>LayerNormalization</c>.
/// </para>
/// <para>
/// The graph follows <see href="https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/modeling_bert.py">modeling_bert.py</see>
/// (eager attention): embeddings are word + token type + position, where the positions
/// 0..sequence-1 are computed in the graph (Shape → Gather → Range) rather than fed, then
/// LayerNorm (epsilon 1e-12). Each layer projects Q, K and V, splits heads, adds
/// (1 − mask) × −10000 broadcast as [batch, 1, 1, sequence] to Q·Kᵀ/√head_size, takes the
/// Softmax, merges the heads of its product with V, and applies the output dense + residual +
/// LayerNorm, then the feed-forward dense + exact GELU (0.5·x·(1 + erf(x/√2))) + dense +
/// residual + LayerNorm. The pooler is a dense + Tanh on the first token.
/// </para>
/// <para>
/// Initializer names are HuggingFace's state-dict keys (<c>encoder.layer.0.attention.self.query.weight</c>),
/// but dense weights are stored [in, out] for <c>MatMul</c>, the transpose of PyTorch's
/// [out, in]. Every initializer is a parameter: shape and scalar constants are <c>Constant</c>
/// nodes, so the initializers' element count is <see cref="ParameterCount"/> exactly.
/// </para>
/// <para>
/// With <c>float16</c> every weight is FLOAT16 and the graph computes in half precision
/// (the mask is cast to FLOAT16 before its arithmetic; −10000 is exact in half); the int64
/// inputs are unchanged and both outputs are cast back to float, so callers feed and read the
/// same types either way.
/// </para>
/// <para>
/// The FP16 graph is meant for GPU providers. ONNX Runtime 1.31.1's CPU provider on x86-64
/// loads and runs it without complaint, but has FLOAT16 kernels only for Gather,
/// LayerNormalization, Reshape, Transpose, Unsqueeze and Cast: it surrounds MatMul, Add, Sub,
/// Mul, Div, Erf, Tanh and Softmax (which it expands into its function body, having no kernel)
/// with inserted Cast nodes and computes them in float. On CPU an FP16 latency is therefore a
/// float model plus casts, not half-precision arithmetic (measured from the profiler's
/// per-kernel input types; <c>BertModelTests</c> fails if that changes).
/// </para>
/// </remarks>
public static class BertModel
{
    /// <summary>Symbolic batch dimension of the inputs and outputs.</summary>
    public const string Batch = "batch";

    /// <summary>Symbolic sequence dimension of the inputs and of <c>last_hidden_state</c>.</summary>
    public const string Sequence = "sequence";

    /// <summary>
    /// The sequence length at which the <c>benchdaemon.macs_per_sample</c> metadata is stated
    /// (a model with fewer positions states it at its <see cref="BertConfig.MaxPositions"/>;
    /// <c>benchdaemon.macs_sequence</c> records which).
    /// </summary>
    public const int ReferenceSequence = 128;

    /// <summary>Standard deviation of every drawn weight and bias: BERT's <c>initializer_range</c>.</summary>
    public const double WeightStd = 0.02;

    // HuggingFace BertConfig.layer_norm_eps.
    private const float LayerNormEpsilon = 1e-12f;

    // The additive mask of the original BERT and of HF's get_extended_attention_mask before it
    // moved to finfo.min; −10000 is exact in half and far enough below any score that
    // exp(−10000 + score) is 0 in float and half alike.
    private const float MaskedScore = -10000f;

    // The first opset with LayerNormalization.
    private const long Opset = 17;

    /// <summary>
    /// Builds the model for <paramref name="config"/>. The same arguments always give the same
    /// bytes. Weights and biases are uniform with standard deviation <see cref="WeightStd"/>
    /// (uniform, not BERT's normal, because its values are exact from <see cref="SplitMix64"/>
    /// on any hardware, while a Box–Muller draw depends on the platform's <c>log</c> and
    /// <c>cos</c>); biases are drawn rather than zero so a miswired Add changes the output;
    /// LayerNorm scales are 1 and shifts 0.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="config"/> has a non-positive size, or its hidden size does not split into its heads.</exception>
    public static byte[] Build(BertConfig config, bool float16 = false, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return new Writer(config, float16, seed, new OnnxModelBuilder(GraphName(config, float16), Opset)).Write().ToBytes();
    }

    /// <summary>
    /// Writes the model of <see cref="Build"/> to <paramref name="destination"/>, the same bytes,
    /// with each weight serialized to a temporary file in <paramref name="scratchDirectory"/> as
    /// it is drawn (<see cref="OnnxModelBuilder.CreateInitializerStore"/>), so memory holds one
    /// weight at a time (bert-base's largest, the word embeddings, is 94 MB) rather than the model.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="config"/> has a non-positive size, or its hidden size does not split into its heads.</exception>
    public static void Write(BertConfig config, Stream destination, string scratchDirectory, bool float16 = false, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(destination);
        config.Validate();
        using var store = OnnxModelBuilder.CreateInitializerStore(scratchDirectory);
        new Writer(config, float16, seed, new OnnxModelBuilder(GraphName(config, float16), Opset, store)).Write().WriteTo(destination);
    }

    /// <summary>
    /// The parameters of HuggingFace's <c>BertModel</c> with its pooler: word, position and
    /// token-type embeddings and their LayerNorm; per layer Q, K, V and attention-output dense
    /// layers, two LayerNorms, and the two feed-forward dense layers; the pooler dense.
    /// 109,482,240 for <see cref="BertConfig.Base"/>. Equal to the initializer element count
    /// of <see cref="Build"/>'s model.
    /// </summary>
    public static long ParameterCount(BertConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        long hidden = config.Hidden;
        long intermediate = config.Intermediate;
        var layerNorm = 2 * hidden;
        var embeddings = ((config.Vocab + (long)config.MaxPositions + config.TypeVocab) * hidden) + layerNorm;
        var layer = (4 * Dense(hidden, hidden)) + layerNorm + Dense(hidden, intermediate) + Dense(intermediate, hidden) + layerNorm;
        var pooler = Dense(hidden, hidden);
        return checked(embeddings + (config.Layers * layer) + pooler);

        static long Dense(long inputs, long outputs) => (inputs * outputs) + outputs;
    }

    /// <summary>
    /// Multiply-accumulates of the matrix products for one sequence of
    /// <paramref name="sequence"/> tokens: per layer the Q, K, V and attention-output
    /// projections (4·s·h²), the attention scores Q·Kᵀ and their product with V (2·s²·h over
    /// all heads) and the feed-forward pair (2·s·h·i), plus the pooler on one token (h²).
    /// Element-wise work (Softmax, LayerNorm, GELU, biases) is left out.
    /// 11,174,215,680 (≈ 11.2 G) for <see cref="BertConfig.Base"/> at sequence 128.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sequence"/> is below 1 or above the model's <see cref="BertConfig.MaxPositions"/>.</exception>
    public static long MacsPerSample(BertConfig config, int sequence)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, config.MaxPositions);
        long s = sequence;
        long hidden = config.Hidden;
        long intermediate = config.Intermediate;
        var projections = 4 * s * hidden * hidden;
        var attention = 2 * s * s * hidden;
        var feedForward = 2 * s * hidden * intermediate;
        var pooler = hidden * hidden;
        return checked((config.Layers * (projections + attention + feedForward)) + pooler);
    }

    private static string GraphName(BertConfig config, bool float16) => float16 ? $"{config.Name}_fp16" : config.Name;

    /// <summary>Lays one model down into a builder; holds the weight stream and the compute type while the graph is laid down in order.</summary>
    private sealed class Writer
    {
        private readonly BertConfig _config;
        private readonly bool _half;
        private readonly OnnxElementType _compute;
        private readonly SplitMix64 _rng;
        private readonly OnnxModelBuilder _model;
        private readonly WeightWriter _weights;

        public Writer(BertConfig config, bool float16, int seed, OnnxModelBuilder model)
        {
            _weights = new WeightWriter(model, float16);
            _config = config;
            _half = float16;
            _compute = float16 ? OnnxElementType.Float16 : OnnxElementType.Float;
            _rng = new SplitMix64(unchecked((ulong)seed));
            _model = model;
        }

        public OnnxModelBuilder Write()
        {
            var c = _config;
            var invariant = CultureInfo.InvariantCulture;
            var macsSequence = Math.Min(ReferenceSequence, c.MaxPositions);
            _model.Metadata("benchdaemon.family", "bert")
                .Metadata("benchdaemon.model", c.Name)
                .Metadata("benchdaemon.parameters", ParameterCount(c).ToString(invariant))
                .Metadata("benchdaemon.macs_per_sample", MacsPerSample(c, macsSequence).ToString(invariant))
                .Metadata("benchdaemon.macs_sequence", macsSequence.ToString(invariant))
                .Metadata("benchdaemon.precision", _half ? "fp16" : "fp32")
                .Input("input_ids", OnnxElementType.Int64, Batch, Sequence)
                .Input("attention_mask", OnnxElementType.Int64, Batch, Sequence)
                .Input("token_type_ids", OnnxElementType.Int64, Batch, Sequence)
                .Output("last_hidden_state", OnnxElementType.Float, Batch, Sequence, c.Hidden)
                .Output("pooler_output", OnnxElementType.Float, Batch, c.Hidden);

            IntConstant("const.zero", [], [0L]);
            IntConstant("const.one", [], [1L]);
            IntConstant("const.mask_axes", [2], [1L, 2L]);
            IntConstant("const.split_heads", [4], [0L, 0L, c.Heads, c.HeadSize]);
            IntConstant("const.merge_heads", [3], [0L, 0L, c.Hidden]);
            FloatConstant("const.f_one", 1f);
            FloatConstant("const.f_half", 0.5f);
            FloatConstant("const.sqrt2", MathF.Sqrt(2f));
            FloatConstant("const.sqrt_head_size", MathF.Sqrt(c.HeadSize));
            FloatConstant("const.masked_score", MaskedScore);

            var hidden = Embeddings();
            var mask = AdditiveMask();
            for (var i = 0; i < c.Layers; i++)
            {
                hidden = Layer(i, hidden, mask, i == c.Layers - 1 && !_half ? "last_hidden_state" : null);
            }

            var first = Node("Gather", "pooler.first_token", [hidden, "const.zero"], OnnxAttribute.Int("axis", 1));
            var pooled = Node("Tanh", _half ? "pooler.tanh" : "pooler_output", [Dense(first, "pooler.dense", c.Hidden, c.Hidden)]);
            if (_half)
            {
                Node("Cast", "last_hidden_state", [hidden], OnnxAttribute.ElementType("to", OnnxElementType.Float));
                Node("Cast", "pooler_output", [pooled], OnnxAttribute.ElementType("to", OnnxElementType.Float));
            }

            return _model;
        }

        private string Embeddings()
        {
            var c = _config;
            var word = Node("Gather", "embeddings.word", [Weight("embeddings.word_embeddings.weight", c.Vocab, c.Hidden), "input_ids"]);
            var position = Weight("embeddings.position_embeddings.weight", c.MaxPositions, c.Hidden);
            var tokenType = Node("Gather", "embeddings.token_type", [Weight("embeddings.token_type_embeddings.weight", c.TypeVocab, c.Hidden), "token_type_ids"]);

            // position_ids = arange(sequence), from the input's own shape so any length up to MaxPositions runs.
            var shape = Node("Shape", "embeddings.input_shape", ["input_ids"]);
            var length = Node("Gather", "embeddings.sequence_length", [shape, "const.one"], OnnxAttribute.Int("axis", 0));
            var positionIds = Node("Range", "embeddings.position_ids", ["const.zero", length, "const.one"]);
            var positions = Node("Gather", "embeddings.position", [position, positionIds]);

            // HF's order: (word + token type) + position, the last broadcast over the batch.
            var sum = Node("Add", "embeddings.word_type", [word, tokenType]);
            sum = Node("Add", "embeddings.sum", [sum, positions]);
            return LayerNorm(sum, "embeddings.LayerNorm");
        }

        private string AdditiveMask()
        {
            var mask = Node("Cast", "mask.cast", ["attention_mask"], OnnxAttribute.ElementType("to", _compute));
            mask = Node("Unsqueeze", "mask.unsqueeze", [mask, "const.mask_axes"]);
            var inverted = Node("Sub", "mask.inverted", ["const.f_one", mask]);
            return Node("Mul", "mask.additive", [inverted, "const.masked_score"]);
        }

        private string Layer(int index, string input, string mask, string? output)
        {
            var c = _config;
            var p = $"encoder.layer.{index.ToString(CultureInfo.InvariantCulture)}";
            var query = SplitHeads(Dense(input, $"{p}.attention.self.query", c.Hidden, c.Hidden), [0, 2, 1, 3]);
            var keyT = SplitHeads(Dense(input, $"{p}.attention.self.key", c.Hidden, c.Hidden), [0, 2, 3, 1]);
            var value = SplitHeads(Dense(input, $"{p}.attention.self.value", c.Hidden, c.Hidden), [0, 2, 1, 3]);

            var scores = Node("MatMul", $"{p}.attention.self.scores", [query, keyT]);
            scores = Node("Div", $"{p}.attention.self.scaled", [scores, "const.sqrt_head_size"]);
            scores = Node("Add", $"{p}.attention.self.masked", [scores, mask]);
            var probs = Node("Softmax", $"{p}.attention.self.probs", [scores], OnnxAttribute.Int("axis", -1));
            var context = Node("MatMul", $"{p}.attention.self.context_heads", [probs, value]);
            context = Node("Transpose", $"{p}.attention.self.context_t", [context], OnnxAttribute.Ints("perm", 0, 2, 1, 3));
            context = Node("Reshape", $"{p}.attention.self.context", [context, "const.merge_heads"]);

            var attention = Dense(context, $"{p}.attention.output.dense", c.Hidden, c.Hidden);
            attention = Node("Add", $"{p}.attention.output.residual", [attention, input]);
            attention = LayerNorm(attention, $"{p}.attention.output.LayerNorm");

            var intermediate = Gelu(Dense(attention, $"{p}.intermediate.dense", c.Hidden, c.Intermediate), $"{p}.intermediate.gelu");
            var result = Dense(intermediate, $"{p}.output.dense", c.Intermediate, c.Hidden);
            result = Node("Add", $"{p}.output.residual", [result, attention]);
            return LayerNorm(result, $"{p}.output.LayerNorm", output);
        }

        // [b, s, h] → [b, s, heads, head_size] → permuted; [0, 2, 3, 1] gives Kᵀ directly.
        private string SplitHeads(string input, long[] perm)
        {
            var heads = Node("Reshape", $"{input}.heads", [input, "const.split_heads"]);
            return Node("Transpose", $"{input}.heads_t", [heads], OnnxAttribute.Ints("perm", perm));
        }

        // erf form, not the tanh approximation: HF's "gelu" (hidden_act of every BERT checkpoint).
        private string Gelu(string x, string prefix)
        {
            var erf = Node("Erf", $"{prefix}.erf", [Node("Div", $"{prefix}.scaled", [x, "const.sqrt2"])]);
            var onePlus = Node("Add", $"{prefix}.one_plus", [erf, "const.f_one"]);
            return Node("Mul", prefix, [Node("Mul", $"{prefix}.product", [x, onePlus]), "const.f_half"]);
        }

        private string Dense(string input, string prefix, int inputs, int outputs)
        {
            var product = Node("MatMul", $"{prefix}.matmul", [input, Weight($"{prefix}.weight", inputs, outputs)]);
            return Node("Add", $"{prefix}.out", [product, Weight($"{prefix}.bias", outputs)]);
        }

        private string LayerNorm(string input, string prefix, string? output = null)
        {
            var scale = Filled($"{prefix}.weight", 1f);
            var shift = Filled($"{prefix}.bias", 0f);
            return Node(
                "LayerNormalization",
                output ?? $"{prefix}.out",
                [input, scale, shift],
                OnnxAttribute.Int("axis", -1),
                OnnxAttribute.Float("epsilon", LayerNormEpsilon));
        }

        private string Node(string opType, string output, string[] inputs, params OnnxAttribute[] attributes)
        {
            _model.Node(opType, inputs, [output], name: output, attributes: attributes);
            return output;
        }

        // Uniform on ±std·√3 has standard deviation std.
        private string Weight(string name, params int[] dims)
        {
            _weights.Uniform(name, Array.ConvertAll(dims, d => (long)d), _rng, (float)(WeightStd * Math.Sqrt(3)));
            return name;
        }

        private string Filled(string name, float value)
        {
            _weights.Filled(name, [_config.Hidden], value);
            return name;
        }

        private void IntConstant(string name, long[] dims, long[] values) =>
            _model.Node("Constant", [], [name], name: name, attributes: OnnxAttribute.Tensor("value", dims, values));

        private void FloatConstant(string name, float value)
        {
            var attribute = _half ? OnnxAttribute.Tensor("value", [], [(Half)value]) : OnnxAttribute.Tensor("value", [], [value]);
            _model.Node("Constant", [], [name], name: name, attributes: attribute);
        }
    }
}
