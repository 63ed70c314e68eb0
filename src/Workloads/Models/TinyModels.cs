using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Workloads.Models;

/// <summary>
/// Small ONNX models written in code, for tests and quick checks that must not depend on a
/// downloaded model. Weights come from a seeded <see cref="SplitMix64"/> with Glorot-uniform
/// scale (±sqrt(6 / (fan_in + fan_out))), so activations stay near unit scale, and every
/// model is byte-for-byte the same on every machine and .NET version.
/// All use the default opset <see cref="OnnxModelBuilder.DefaultOpset"/> unless stated.
/// </summary>
public static class TinyModels
{
    /// <summary>Symbolic batch dimension of every model's inputs and outputs.</summary>
    public const string Batch = "batch";

    /// <summary>Symbolic sequence dimension of <see cref="TokenClassifier"/>'s inputs.</summary>
    public const string Sequence = "sequence";

    /// <summary>Width of <see cref="Slow"/>'s input, output and every layer.</summary>
    public const int SlowWidth = 256;

    /// <summary>
    /// A two-layer perceptron: <c>input</c> float [batch, inputs] → MatMul → Add → Relu →
    /// MatMul → Add → <c>logits</c> float [batch, outputs]. With <paramref name="float16"/>
    /// the same weights are stored as FLOAT16 and the graph computes in half precision with
    /// float IO: a Cast to FLOAT16 after the input and back to FLOAT before the output, so
    /// callers feed and read floats either way and can compare the two directly.
    /// </summary>
    public static byte[] Mlp(int inputs = 16, int hidden = 32, int outputs = 10, int seed = 1, bool float16 = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);

        var rng = new SplitMix64(unchecked((ulong)seed));
        var w1 = Glorot(rng, inputs, hidden);
        var b1 = Bias(rng, inputs, hidden);
        var w2 = Glorot(rng, hidden, outputs);
        var b2 = Bias(rng, hidden, outputs);

        var model = new OnnxModelBuilder(float16 ? "mlp_fp16" : "mlp")
            .Metadata("benchdaemon.model", "mlp")
            .Metadata("benchdaemon.precision", float16 ? "fp16" : "fp32")
            .Input("input", OnnxElementType.Float, Batch, inputs)
            .Output("logits", OnnxElementType.Float, Batch, outputs);

        var x = "input";
        if (float16)
        {
            model.Initializer("fc1.weight", [inputs, hidden], ToHalf(w1))
                .Initializer("fc1.bias", [hidden], ToHalf(b1))
                .Initializer("fc2.weight", [hidden, outputs], ToHalf(w2))
                .Initializer("fc2.bias", [outputs], ToHalf(b2))
                .Node("Cast", [x], ["input_fp16"], attributes: OnnxAttribute.ElementType("to", OnnxElementType.Float16));
            x = "input_fp16";
        }
        else
        {
            model.Initializer("fc1.weight", [inputs, hidden], w1)
                .Initializer("fc1.bias", [hidden], b1)
                .Initializer("fc2.weight", [hidden, outputs], w2)
                .Initializer("fc2.bias", [outputs], b2);
        }

        var last = float16 ? "logits_fp16" : "logits";
        model.Node("MatMul", [x, "fc1.weight"], ["fc1.matmul"])
            .Node("Add", ["fc1.matmul", "fc1.bias"], ["fc1.add"])
            .Node("Relu", ["fc1.add"], ["fc1.relu"])
            .Node("MatMul", ["fc1.relu", "fc2.weight"], ["fc2.matmul"])
            .Node("Add", ["fc2.matmul", "fc2.bias"], [last]);
        if (float16)
        {
            model.Node("Cast", [last], ["logits"], attributes: OnnxAttribute.ElementType("to", OnnxElementType.Float));
        }

        return model.ToBytes();
    }

    /// <summary>
    /// A BERT-shaped sequence classifier small enough for a unit test. Inputs
    /// <c>input_ids</c>, <c>attention_mask</c> and <c>token_type_ids</c>, all int64
    /// [batch, sequence]; word and token-type embeddings (Gather, token types 0 and 1) are
    /// summed, mean-pooled over the positions where the mask is 1 (a row with no such
    /// position pools to zero), and projected to <c>logits</c> float [batch, labels].
    /// </summary>
    public static byte[] TokenClassifier(int vocab = 100, int hidden = 16, int labels = 4, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocab, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(labels, 1);
        const int TokenTypes = 2;

        var rng = new SplitMix64(unchecked((ulong)seed));
        var words = Glorot(rng, vocab, hidden);
        var tokenTypes = Glorot(rng, TokenTypes, hidden);
        var weight = Glorot(rng, hidden, labels);
        var bias = Bias(rng, hidden, labels);

        return new OnnxModelBuilder("token_classifier")
            .Metadata("benchdaemon.model", "token_classifier")
            .Input("input_ids", OnnxElementType.Int64, Batch, Sequence)
            .Input("attention_mask", OnnxElementType.Int64, Batch, Sequence)
            .Input("token_type_ids", OnnxElementType.Int64, Batch, Sequence)
            .Output("logits", OnnxElementType.Float, Batch, labels)
            .Initializer("embeddings.word", [vocab, hidden], words)
            .Initializer("embeddings.token_type", [TokenTypes, hidden], tokenTypes)
            .Initializer("classifier.weight", [hidden, labels], weight)
            .Initializer("classifier.bias", [labels], bias)
            // Shape constants are Constant nodes, not initializers, so ParameterCount counts weights only.
            .Node("Constant", [], ["axis1"], attributes: OnnxAttribute.Tensor("value", [1], [1L]))
            .Node("Constant", [], ["axis2"], attributes: OnnxAttribute.Tensor("value", [1], [2L]))
            .Node("Constant", [], ["one"], attributes: OnnxAttribute.Tensor("value", [], [1f]))
            .Node("Gather", ["embeddings.word", "input_ids"], ["word"])
            .Node("Gather", ["embeddings.token_type", "token_type_ids"], ["token_type"])
            .Node("Add", ["word", "token_type"], ["embedded"])
            .Node("Cast", ["attention_mask"], ["mask"], attributes: OnnxAttribute.ElementType("to", OnnxElementType.Float))
            .Node("Unsqueeze", ["mask", "axis2"], ["mask3"])
            .Node("Mul", ["embedded", "mask3"], ["masked"])
            .Node("ReduceSum", ["masked", "axis1"], ["summed"], attributes: OnnxAttribute.Int("keepdims", 0))
            .Node("ReduceSum", ["mask", "axis1"], ["count"], attributes: OnnxAttribute.Int("keepdims", 1))
            // Mask counts are whole numbers, so max(count, 1) only changes an all-padding row (0 / 1 = 0).
            .Node("Max", ["count", "one"], ["divisor"])
            .Node("Div", ["summed", "divisor"], ["pooled"])
            .Node("MatMul", ["pooled", "classifier.weight"], ["projected"])
            .Node("Add", ["projected", "classifier.bias"], ["logits"])
            .ToBytes();
    }

    /// <summary>
    /// An Identity model (<c>input</c> → <c>output</c>, float [batch]) that imports the
    /// default domain at <paramref name="opset"/>, for example 999 to check that a model
    /// the runtime cannot serve fails cleanly.
    /// </summary>
    public static byte[] WithOpset(long opset) =>
        new OnnxModelBuilder("identity", opset)
            .Input("input", OnnxElementType.Float, Batch)
            .Output("output", OnnxElementType.Float, Batch)
            .Node("Identity", ["input"], ["output"])
            .ToBytes();

    /// <summary>
    /// A model whose cost grows with <paramref name="iterations"/>: <c>input</c> float
    /// [batch, 256] through <paramref name="iterations"/> MatMul (256×256) + Tanh layers to
    /// <c>output</c> float [batch, 256]. The layers share one weight, so the file stays at
    /// 256 KiB whatever the depth; Tanh keeps the values bounded however deep it goes.
    /// </summary>
    public static byte[] Slow(int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);

        var rng = new SplitMix64(1);
        var model = new OnnxModelBuilder("slow")
            .Metadata("benchdaemon.model", "slow")
            .Input("input", OnnxElementType.Float, Batch, SlowWidth)
            .Output("output", OnnxElementType.Float, Batch, SlowWidth)
            .Initializer("weight", [SlowWidth, SlowWidth], Glorot(rng, SlowWidth, SlowWidth));

        var x = "input";
        for (var i = 0; i < iterations; i++)
        {
            var y = i == iterations - 1 ? "output" : $"layer{i}";
            model.Node("MatMul", [x, "weight"], [$"layer{i}.matmul"])
                .Node("Tanh", [$"layer{i}.matmul"], [y]);
            x = y;
        }

        return model.ToBytes();
    }

    private static float[] Glorot(SplitMix64 rng, int fanIn, int fanOut) =>
        rng.NextUniform(checked(fanIn * fanOut), (float)Math.Sqrt(6.0 / (fanIn + fanOut)));

    // PyTorch's nn.Linear bias scale, ±1/sqrt(fan_in).
    private static float[] Bias(SplitMix64 rng, int fanIn, int fanOut) =>
        rng.NextUniform(fanOut, (float)(1.0 / Math.Sqrt(fanIn)));

    private static Half[] ToHalf(float[] values) => Array.ConvertAll(values, v => (Half)v);
}
