using BenchDaemon.Workloads.Models.Graph;
using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Small whole models (MLP, CNN, residual block, attention, recurrent layers) and graph-structure edge cases.</summary>
internal static class Composite
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(1414);
        AddNetworks(corpus, rng);
        AddRecurrent(corpus, rng);
        AddStructure(corpus, rng);
    }

    private static Nd W(Rng rng, params long[] shape) => Nd.Random(rng, E.Float, shape, -0.3, 0.3);

    private static void AddNetworks(Corpus corpus, Rng rng)
    {
        corpus.Add(new ModelSpec("model", "mlp-3-layers-softmax"))
            .In("x", E.Float, "N", 32)
            .Out("probabilities", E.Float, "N", 10)
            .Init("w1", W(rng, 32, 64)).Init("b1", W(rng, 64))
            .Init("w2", W(rng, 64, 64)).Init("b2", W(rng, 64))
            .Init("w3", W(rng, 64, 10)).Init("b3", W(rng, 10))
            .Op("Gemm", ["x", "w1", "b1"], ["h1"]).Op("Relu", ["h1"], ["a1"])
            .Op("Gemm", ["a1", "w2", "b2"], ["h2"]).Op("Relu", ["h2"], ["a2"])
            .Op("Gemm", ["a2", "w3", "b3"], ["logits"])
            .Op("Softmax", ["logits"], ["probabilities"]);
        corpus.Add(new ModelSpec("model", "classifier-argmax"))
            .In("x", E.Float, "N", 16)
            .Out("label", E.Int64, "N")
            .Out("probabilities", E.Float, "N", 5)
            .Init("w", W(rng, 16, 5)).Init("b", W(rng, 5))
            .Op("Gemm", ["x", "w", "b"], ["logits"])
            .Op("Softmax", ["logits"], ["probabilities"])
            .Op("ArgMax", ["logits"], ["label"], A.Int("axis", 1), A.Int("keepdims", 0));
        corpus.Add(new ModelSpec("model", "cnn-small"))
            .In("image", E.Float, "N", 3, 16, 16)
            .Out("logits", E.Float, "N", 10)
            .Init("c1", W(rng, 8, 3, 3, 3)).Init("c1b", W(rng, 8))
            .Init("c2", W(rng, 16, 8, 3, 3)).Init("c2b", W(rng, 16))
            .Init("fc", W(rng, 16, 10)).Init("fcb", W(rng, 10))
            .Op("Conv", ["image", "c1", "c1b"], ["x1"], A.Ints("pads", 1, 1, 1, 1)).Op("Relu", ["x1"], ["r1"])
            .Op("MaxPool", ["r1"], ["p1"], A.Ints("kernel_shape", 2, 2), A.Ints("strides", 2, 2))
            .Op("Conv", ["p1", "c2", "c2b"], ["x2"], A.Ints("pads", 1, 1, 1, 1)).Op("Relu", ["x2"], ["r2"])
            .Op("GlobalAveragePool", ["r2"], ["g"])
            .Op("Flatten", ["g"], ["f"])
            .Op("Gemm", ["f", "fc", "fcb"], ["logits"]);
        corpus.Add(new ModelSpec("model", "resnet-block"))
            .In("x", E.Float, "N", 8, 8, 8)
            .Out("y", E.Float, "N", 8, 8, 8)
            .Init("w1", W(rng, 8, 8, 3, 3)).Init("w2", W(rng, 8, 8, 3, 3))
            .Init("s", Nd.Random(rng, E.Float, [8], 0.5, 1.5)).Init("b", W(rng, 8)).Init("m", W(rng, 8)).Init("v", Nd.Random(rng, E.Float, [8], 0.5, 1.5))
            .Op("Conv", ["x", "w1"], ["c1"], A.Ints("pads", 1, 1, 1, 1))
            .Op("BatchNormalization", ["c1", "s", "b", "m", "v"], ["n1"]).Op("Relu", ["n1"], ["r1"])
            .Op("Conv", ["r1", "w2"], ["c2"], A.Ints("pads", 1, 1, 1, 1))
            .Op("BatchNormalization", ["c2", "s", "b", "m", "v"], ["n2"])
            .Op("Add", ["n2", "x"], ["sum"]).Op("Relu", ["sum"], ["y"]);
        corpus.Add(new ModelSpec("model", "unet-mini"))
            .In("x", E.Float, "N", 2, 8, 8)
            .Out("y", E.Float, "N", 1, 8, 8)
            .Init("down", W(rng, 4, 2, 3, 3)).Init("mid", W(rng, 4, 4, 3, 3)).Init("out", W(rng, 1, 6, 1, 1))
            .Init("scales", Nd.Vector(E.Float, 1, 1, 2, 2))
            .Op("Conv", ["x", "down"], ["d"], A.Ints("pads", 1, 1, 1, 1), A.Ints("strides", 2, 2))
            .Op("Relu", ["d"], ["dr"])
            .Op("Conv", ["dr", "mid"], ["m"], A.Ints("pads", 1, 1, 1, 1))
            .Op("Resize", ["m", string.Empty, "scales"], ["up"], A.String("mode", "nearest"))
            .Op("Concat", ["up", "x"], ["cat"], A.Int("axis", 1))
            .Op("Conv", ["cat", "out"], ["logits"])
            .Op("Sigmoid", ["logits"], ["y"]);
        corpus.Add(new ModelSpec("model", "autoencoder-convtranspose"))
            .In("x", E.Float, "N", 1, 8, 8)
            .Out("y", E.Float, "N", 1, 8, 8)
            .Init("enc", W(rng, 4, 1, 3, 3)).Init("dec", W(rng, 4, 1, 4, 4))
            .Op("Conv", ["x", "enc"], ["e"], A.Ints("pads", 1, 1, 1, 1), A.Ints("strides", 2, 2))
            .Op("Relu", ["e"], ["er"])
            .Op("ConvTranspose", ["er", "dec"], ["y"], A.Ints("strides", 2, 2), A.Ints("pads", 1, 1, 1, 1));

        // Self-attention over a symbolic sequence S: softmax(Q Kᵀ / √d) V.
        ModelSpec Attention(string name)
        {
            return corpus.Add(new ModelSpec("model", name))
                .In("x", E.Float, "N", "S", 16)
                .Out("y", E.Float, "N", "S", 16)
                .Init("wq", W(rng, 16, 16)).Init("wk", W(rng, 16, 16)).Init("wv", W(rng, 16, 16))
                .Init("scale", Nd.Scalar(E.Float, 4))
                .Op("MatMul", ["x", "wq"], ["q"]).Op("MatMul", ["x", "wk"], ["k"]).Op("MatMul", ["x", "wv"], ["v"])
                .Op("Transpose", ["k"], ["kt"], A.Ints("perm", 0, 2, 1))
                .Op("MatMul", ["q", "kt"], ["scores"])
                .Op("Div", ["scores", "scale"], ["scaled"])
                .Op("Softmax", ["scaled"], ["weights"])
                .Op("MatMul", ["weights", "v"], ["y"]);
        }

        Attention("attention-sequence-given").Dim("S", 8);
        Attention("attention-sequence-missing")
            .Expecting("failed: input_error (dimension S is symbolic and Inputs:S is not set: the message must name Inputs:S)");
        corpus.Add(new ModelSpec("model", "attention-inputs-key-unknown"))
            .In("x", E.Float, "N", 16)
            .Out("y", E.Float, "N", 16)
            .Op("Relu", ["x"], ["y"])
            .Dim("S", 8)
            .Expecting("failed: input_error (Inputs:S names no dimension of the model: the message must say so)");

        corpus.Add(new ModelSpec("model", "transformer-block", 20))
            .In("x", E.Float, "N", "S", 16)
            .Out("y", E.Float, "N", "S", 16)
            .Init("gamma", Nd.Random(rng, E.Float, [16], 0.5, 1.5)).Init("beta", W(rng, 16))
            .Init("w1", W(rng, 16, 32)).Init("b1", W(rng, 32)).Init("w2", W(rng, 32, 16)).Init("b2", W(rng, 16))
            .Op("LayerNormalization", ["x", "gamma", "beta"], ["n"])
            .Op("MatMul", ["n", "w1"], ["h"]).Op("Add", ["h", "b1"], ["hb"])
            .Op("Gelu", ["hb"], ["g"])
            .Op("MatMul", ["g", "w2"], ["o"]).Op("Add", ["o", "b2"], ["ob"])
            .Op("Add", ["ob", "x"], ["y"])
            .Dim("S", 6);
        corpus.Add(new ModelSpec("model", "bert-style-inputs"))
            .In("input_ids", E.Int64, "N", "sequence").In("attention_mask", E.Int64, "N", "sequence").In("token_type_ids", E.Int64, "N", "sequence")
            .Out("pooled", E.Float, "N", 8)
            .Init("words", W(rng, 100, 8)).Init("types", W(rng, 2, 8)).Init("axes2", 2)
            .Op("Gather", ["words", "input_ids"], ["we"])
            .Op("Gather", ["types", "token_type_ids"], ["te"])
            .Op("Add", ["we", "te"], ["e"])
            .Op("Cast", ["attention_mask"], ["maskf"], A.ElementType("to", E.Float))
            .Op("Unsqueeze", ["maskf", "axes2"], ["mask3"])
            .Op("Mul", ["e", "mask3"], ["masked"])
            .Op("ReduceMean", ["masked"], ["pooled"], A.Ints("axes", 1), A.Int("keepdims", 0))
            .Dim("sequence", 12);
    }

    private static void AddRecurrent(Corpus corpus, Rng rng)
    {
        // Layout 0: X is [sequence, batch, input]; a symbolic sequence comes first, so the
        // canary's batch size sets the sequence length.
        corpus.Add(new ModelSpec("rnn", "lstm"))
            .In("x", E.Float, "S", 2, 8)
            .Out("y", E.Float, "S", 1, 2, 6)
            .Out("h", E.Float, 1, 2, 6)
            .Init("w", W(rng, 1, 24, 8)).Init("r", W(rng, 1, 24, 6)).Init("b", W(rng, 1, 48))
            .Op("LSTM", ["x", "w", "r", "b"], ["y", "h"], A.Int("hidden_size", 6));
        corpus.Add(new ModelSpec("rnn", "lstm-batch-second-given"))
            .In("x", E.Float, 5, "N", 8)
            .Out("y", E.Float, 5, 1, "N", 6)
            .Init("w", W(rng, 1, 24, 8)).Init("r", W(rng, 1, 24, 6))
            .Op("LSTM", ["x", "w", "r"], ["y"], A.Int("hidden_size", 6))
            .Dim("N", 2)
            .Expecting("ok (the batch is the second dimension, so it is set with Inputs:N)");
        corpus.Add(new ModelSpec("rnn", "lstm-batch-second-missing"))
            .In("x", E.Float, 5, "N", 8)
            .Out("y", E.Float, 5, 1, "N", 6)
            .Init("w", W(rng, 1, 24, 8)).Init("r", W(rng, 1, 24, 6))
            .Op("LSTM", ["x", "w", "r"], ["y"], A.Int("hidden_size", 6))
            .Expecting("failed: input_error (N is not the first dimension here; the message must name Inputs:N)");
        corpus.Add(new ModelSpec("rnn", "lstm-sequence-lengths-input"))
            .In("x", E.Float, 5, 2, 8).In("lengths", E.Int32, 2)
            .Out("y", E.Float, 5, 1, 2, 6)
            .Init("w", W(rng, 1, 24, 8)).Init("r", W(rng, 1, 24, 6)).Init("b", W(rng, 1, 48))
            .Op("LSTM", ["x", "w", "r", "b", "lengths"], ["y"], A.Int("hidden_size", 6))
            .Expecting("ok if the generated lengths are at most the sequence, 5 (an input hint); else runtime_error");
        corpus.Add(new ModelSpec("rnn", "lstm-bidirectional"))
            .In("x", E.Float, "S", 2, 3)
            .Out("y", E.Float, "S", 2, 2, 5)
            .Init("w", W(rng, 2, 20, 3)).Init("r", W(rng, 2, 20, 5))
            .Op("LSTM", ["x", "w", "r"], ["y"], A.Int("hidden_size", 5), A.String("direction", "bidirectional"));
        corpus.Add(new ModelSpec("rnn", "lstm-layout1-batch-first"))
            .In("x", E.Float, "N", 5, 8)
            .Out("y", E.Float, "N", 5, 1, 6)
            .Init("w", W(rng, 1, 24, 8)).Init("r", W(rng, 1, 24, 6))
            .Op("LSTM", ["x", "w", "r"], ["y"], A.Int("hidden_size", 6), A.Int("layout", 1))
            .Expecting("failed: runtime_error (ONNX Runtime's CPU LSTM refuses layout 1: a valid model it cannot run)");
        corpus.Add(new ModelSpec("rnn", "gru"))
            .In("x", E.Float, "S", 2, 8)
            .Out("y", E.Float, "S", 1, 2, 6)
            .Init("w", W(rng, 1, 18, 8)).Init("r", W(rng, 1, 18, 6))
            .Op("GRU", ["x", "w", "r"], ["y"], A.Int("hidden_size", 6), A.Int("linear_before_reset", 1));
        corpus.Add(new ModelSpec("rnn", "rnn-tanh"))
            .In("x", E.Float, "S", 2, 8)
            .Out("y", E.Float, "S", 1, 2, 6)
            .Out("h", E.Float, 1, 2, 6)
            .Init("w", W(rng, 1, 6, 8)).Init("r", W(rng, 1, 6, 6))
            .Op("RNN", ["x", "w", "r"], ["y", "h"], A.Int("hidden_size", 6));
    }

    private static void AddStructure(Corpus corpus, Rng rng)
    {
        var x = Nd.Random(rng, E.Float, [2, 4]);
        corpus.Add(new ModelSpec("multi", "three-inputs-three-outputs"))
            .In("image", E.Float, "N", 3, 8, 8).In("features", E.Float, "N", 4).In("ids", E.Int64, "N", 3)
            .Out("logits", E.Float, "N", 2).Out("embedding", E.Float, "N", 3, 4).Out("positive", E.Bool, "N", 4)
            .Init("conv", W(rng, 2, 3, 3, 3)).Init("table", W(rng, 50, 4)).Init("zero", Nd.Scalar(E.Float, 0))
            .Op("Conv", ["image", "conv"], ["c"])
            .Op("GlobalAveragePool", ["c"], ["g"])
            .Op("Flatten", ["g"], ["logits"])
            .Op("Gather", ["table", "ids"], ["embedding"])
            .Op("Greater", ["features", "zero"], ["positive"]);
        corpus.Add(new ModelSpec("multi", "output-is-input"))
            .In("x", E.Float, "N", 4)
            .Out("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("Relu", ["x"], ["y"])
            .Feed("x", x)
            .Expect("x", x)
            .Expect("y", x.Map(v => Math.Max(0, v)));
        var constant = W(rng, 3);
        corpus.Add(new ModelSpec("multi", "output-is-initializer"))
            .In("x", E.Float, "N", 3)
            .Out("y", E.Float, "N", 3)
            .Out("c", E.Float, 3)
            .Init("c", constant)
            .Op("Add", ["x", "c"], ["y"])
            .Feed("x", Nd.Filled(E.Float, [1, 3], 0))
            .Expect("c", constant)
            .Expect("y", constant.Reshape(1, 3));
        corpus.Add(new ModelSpec("multi", "unused-input"))
            .In("x", E.Float, "N", 4).In("ignored", E.Int64, "N", 2)
            .Out("y", E.Float, "N", 4)
            .Op("Relu", ["x"], ["y"]);
        corpus.Add(new ModelSpec("multi", "one-tensor-two-outputs"))
            .In("x", E.Float, "N", 4)
            .Out("a", E.Float, "N", 4).Out("b", E.Float, "N", 4)
            .Op("Relu", ["x"], ["a"])
            .Op("Identity", ["a"], ["b"])
            .Feed("x", x)
            .Expect("a", x.Map(v => Math.Max(0, v))).Expect("b", x.Map(v => Math.Max(0, v)));
        corpus.Add(new ModelSpec("multi", "mixed-input-types"))
            .In("f", E.Float, "N", 4).In("d", E.Double, "N", 4).In("i", E.Int32, "N", 4).In("b", E.Bool, "N", 4).In("s", E.String, "N", 4)
            .Out("y", E.Float, "N", 4).Out("s_out", E.String, "N", 4)
            .Op("Cast", ["d"], ["df"], A.ElementType("to", E.Float))
            .Op("Cast", ["i"], ["if"], A.ElementType("to", E.Float))
            .Op("Cast", ["b"], ["bf"], A.ElementType("to", E.Float))
            .Op("Sum", ["f", "df", "if", "bf"], ["y"])
            .Op("Identity", ["s"], ["s_out"]);

        var wide = corpus.Add(new ModelSpec("model", "wide-64-branches"))
            .In("x", E.Float, "N", 8)
            .Out("y", E.Float, "N", 512);
        var branches = new List<string>();
        for (var i = 0; i < 64; i++)
        {
            wide.Init($"w{i}", W(rng, 8, 8)).Op("MatMul", ["x", $"w{i}"], [$"m{i}"]).Op("Relu", [$"m{i}"], [$"r{i}"]);
            branches.Add($"r{i}");
        }

        wide.Op("Concat", [.. branches], ["y"], A.Int("axis", 1));
        var deep = corpus.Add(new ModelSpec("model", "deep-200-nodes"))
            .In("x", E.Float, "N", 16)
            .Out("y", E.Float, "N", 16)
            .Init("bias", W(rng, 16));
        var last = "x";
        for (var i = 0; i < 100; i++)
        {
            deep.Op("Add", [last, "bias"], [$"a{i}"]).Op(i % 2 == 0 ? "Relu" : "Tanh", [$"a{i}"], [i == 99 ? "y" : $"t{i}"]);
            last = $"t{i}";
        }

        var heavy = corpus.Add(new ModelSpec("model", "matmul-512-x4"))
            .In("x", E.Float, "N", 512)
            .Out("y", E.Float, "N", 512);
        last = "x";
        for (var i = 0; i < 4; i++)
        {
            heavy.Init($"w{i}", Nd.Random(rng, E.Float, [512, 512], -0.05, 0.05)).Op("MatMul", [last, $"w{i}"], [i == 3 ? "y" : $"h{i}"]);
            last = $"h{i}";
        }
    }
}
