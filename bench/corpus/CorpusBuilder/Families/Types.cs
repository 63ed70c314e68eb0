using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Cast between many element types, and models whose inputs and weights are float16, double or narrow integers.</summary>
internal static class Types
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(808);
        AddCasts(corpus, rng);
        AddFloat16(corpus, rng);
        AddOtherElementTypes(corpus, rng);
    }

    private static void AddCasts(Corpus corpus, Rng rng)
    {
        // Non-negative values below 100 fit every target type, unsigned and int8 included.
        var x = Nd.Random(rng, E.Float, [3, 4], 0, 100);
        foreach (var to in new[] { E.Double, E.Float16, E.Int32, E.Int64, E.Int8, E.UInt8, E.Bool, E.Int16, E.UInt16, E.UInt32, E.UInt64 })
        {
            corpus.Add(new ModelSpec("cast", "float-to-" + to.ToString().ToLowerInvariant()))
                .In("x", E.Float, 3, 4)
                .Out("y", to, 3, 4)
                .Op("Cast", ["x"], ["y"], A.ElementType("to", to))
                .Feed("x", x)
                .Expect("y", x.Cast(to));
        }

        corpus.Add(new ModelSpec("cast", "float-to-bfloat16"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.BFloat16, "N", 4)
            .Op("Cast", ["x"], ["y"], A.ElementType("to", E.BFloat16));
        corpus.Add(new ModelSpec("cast", "float-to-float8e4m3fn", 19))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float8E4M3FN, "N", 4)
            .Op("Cast", ["x"], ["y"], A.ElementType("to", E.Float8E4M3FN));
        corpus.Add(new ModelSpec("cast", "float-to-string"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.String, "N", 4)
            .Op("Cast", ["x"], ["y"], A.ElementType("to", E.String));

        foreach (var from in new[] { E.Int32, E.Int64, E.UInt8, E.Int8, E.Bool, E.Float16, E.Double, E.UInt16, E.Int16 })
        {
            var v = Nd.Random(rng, from, [2, 5], from == E.UInt8 || from == E.UInt16 ? 0 : -50, 50);
            corpus.Add(new ModelSpec("cast", from.ToString().ToLowerInvariant() + "-to-float"))
                .In("x", from, "N", 5)
                .Out("y", E.Float, "N", 5)
                .Op("Cast", ["x"], ["y"], A.ElementType("to", E.Float))
                .Feed("x", v)
                .Expect("y", v.Cast(E.Float));
        }

        corpus.Add(new ModelSpec("cast", "uint32-to-double-generated"))
            .In("x", E.UInt32, "N", 5)
            .Out("y", E.Double, "N", 5)
            .Op("Cast", ["x"], ["y"], A.ElementType("to", E.Double));
        corpus.Add(new ModelSpec("cast", "uint64-to-float-generated"))
            .In("x", E.UInt64, "N", 5)
            .Out("y", E.Float, "N", 5)
            .Op("Cast", ["x"], ["y"], A.ElementType("to", E.Float));
        corpus.Add(new ModelSpec("cast", "bfloat16-input-to-float"))
            .In("x", E.BFloat16, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("Cast", ["x"], ["y"], A.ElementType("to", E.Float));
        corpus.Add(new ModelSpec("cast", "int64-to-string"))
            .In("x", E.Int64, "N", 3)
            .Out("y", E.String, "N", 3)
            .Op("Cast", ["x"], ["y"], A.ElementType("to", E.String));
        corpus.Add(new ModelSpec("cast", "string-to-float-data"))
            .In("x", E.String, 4)
            .Out("y", E.Float, 4)
            .Op("Cast", ["x"], ["y"], A.ElementType("to", E.Float))
            .Feed(TestValue.Strings("x", [4], "1.5", "-2", "0.25", "1e3"))
            .Expect("y", Nd.Vector(E.Float, 1.5, -2, 0.25, 1000));
        corpus.Add(new ModelSpec("cast", "string-to-float-generated"))
            .In("x", E.String, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("Cast", ["x"], ["y"], A.ElementType("to", E.Float))
            .Expecting("failed: runtime_error (generated strings are words, not numbers): a model/data mismatch, reported clearly");

        var cl = Nd.Random(rng, E.Float, [2, 3], -9, 9);
        corpus.Add(new ModelSpec("cast", "castlike", 15))
            .In("x", E.Float, 2, 3).In("like", E.Int32, 1)
            .Out("y", E.Int32, 2, 3)
            .Op("CastLike", ["x", "like"], ["y"])
            .Feed("x", cl).Feed("like", Nd.Vector(E.Int32, 0))
            .Expect("y", cl.Cast(E.Int32));
        var small = Nd.Concat(1, cl.Reshape(1, 6), Nd.Of(E.Float, [1, 2], 0.1, 1e-5));
        corpus.Add(new ModelSpec("cast", "round-trip-fp16"))
            .In("x", E.Float, "N", 8)
            .Out("y", E.Float, "N", 8)
            .Op("Cast", ["x"], ["h"], A.ElementType("to", E.Float16))
            .Op("Cast", ["h"], ["y"], A.ElementType("to", E.Float))
            .Feed("x", small)
            .Expect("y", small.Cast(E.Float16).Cast(E.Float));
    }

    private static void AddFloat16(Corpus corpus, Rng rng)
    {
        var h = E.Float16;
        var a = Nd.Random(rng, h, [2, 8]);
        var b = Nd.Random(rng, h, [8]);
        corpus.Add(new ModelSpec("fp16", "add-broadcast"))
            .In("a", h, "N", 8).In("b", h, 8)
            .Out("c", h, "N", 8)
            .Op("Add", ["a", "b"], ["c"])
            .Feed("a", a).Feed("b", b)
            .Expect("c", Nd.Zip(a, b, (p, q) => p + q));
        corpus.Add(new ModelSpec("fp16", "mul-weight"))
            .In("a", h, "N", 8)
            .Out("c", h, "N", 8)
            .Init("w", b)
            .Op("Mul", ["a", "w"], ["c"])
            .Feed("a", a)
            .Expect("c", Nd.Zip(a, b, (p, q) => p * q));
        foreach (var (op, f) in new (string, Func<double, double>)[] { ("Relu", v => Math.Max(0, v)), ("Sigmoid", v => 1 / (1 + Math.Exp(-v))), ("Tanh", Math.Tanh), ("Exp", Math.Exp), ("Abs", Math.Abs) })
        {
            corpus.Add(new ModelSpec("fp16", op.ToLowerInvariant()))
                .In("x", h, "N", 8)
                .Out("y", h, "N", 8)
                .Op(op, ["x"], ["y"])
                .Feed("x", a)
                .Expect("y", a.Map(f));
        }

        var w = Nd.Random(rng, h, [8, 4], -0.5, 0.5);
        corpus.Add(new ModelSpec("fp16", "matmul-weights"))
            .In("x", h, "N", 8)
            .Out("y", h, "N", 4)
            .Init("w", w)
            .Op("MatMul", ["x", "w"], ["y"])
            .Feed("x", a)
            .Expect("y", a.MatMul(w));
        corpus.Add(new ModelSpec("fp16", "gemm-bias"))
            .In("x", h, "N", 8)
            .Out("y", h, "N", 4)
            .Init("w", w).Init("c", Nd.Random(rng, h, [4]))
            .Op("Gemm", ["x", "w", "c"], ["y"]);
        corpus.Add(new ModelSpec("fp16", "softmax"))
            .In("x", h, "N", 8)
            .Out("y", h, "N", 8)
            .Op("Softmax", ["x"], ["y"])
            .Feed("x", a)
            .Expect("y", a.Softmax(-1));
        corpus.Add(new ModelSpec("fp16", "layernorm"))
            .In("x", h, "N", 8)
            .Out("y", h, "N", 8)
            .Init("gamma", Nd.Random(rng, h, [8], 0.5, 1.5)).Init("beta", Nd.Random(rng, h, [8]))
            .Op("LayerNormalization", ["x", "gamma", "beta"], ["y"]);
        corpus.Add(new ModelSpec("fp16", "conv"))
            .In("x", h, "N", 3, 8, 8)
            .Out("y", h, "N", 4, 6, 6)
            .Init("w", Nd.Random(rng, h, [4, 3, 3, 3], -0.5, 0.5))
            .Op("Conv", ["x", "w"], ["y"])
            .Expecting("ok, or failed if the CPU provider has no float16 Conv kernel on this instruction set (model_invalid/runtime_error naming Conv)");
        corpus.Add(new ModelSpec("fp16", "maxpool"))
            .In("x", h, "N", 2, 6, 6)
            .Out("y", h, "N", 2, 3, 3)
            .Op("MaxPool", ["x"], ["y"], A.Ints("kernel_shape", 2, 2), A.Ints("strides", 2, 2));
        corpus.Add(new ModelSpec("fp16", "reducemean", 18))
            .In("x", h, "N", 8)
            .Out("y", h, "N", 1)
            .Init("axes", 1)
            .Op("ReduceMean", ["x", "axes"], ["y"]);
        corpus.Add(new ModelSpec("fp16", "transpose-concat"))
            .In("x", h, "N", 2, 3)
            .Out("y", h, "N", 3, 4)
            .Op("Transpose", ["x"], ["t"], A.Ints("perm", 0, 2, 1))
            .Op("Concat", ["t", "t"], ["y"], A.Int("axis", 2));
        corpus.Add(new ModelSpec("fp16", "gather-table"))
            .In("ids", E.Int64, "N", 4)
            .Out("y", h, "N", 4, 6)
            .Init("table", Nd.Random(rng, h, [20, 6]))
            .Op("Gather", ["table", "ids"], ["y"]);
        corpus.Add(new ModelSpec("fp16", "where"))
            .In("c", E.Bool, "N", 4).In("x", h, "N", 4)
            .Out("y", h, "N", 4)
            .Init("zero", Nd.Scalar(h, 0))
            .Op("Where", ["c", "x", "zero"], ["y"]);
        corpus.Add(new ModelSpec("fp16", "resize-nearest"))
            .In("x", h, "N", 1, 4, 4)
            .Out("y", h, "N", 1, 8, 8)
            .Init("scales", Nd.Vector(E.Float, 1, 1, 2, 2))
            .Op("Resize", ["x", string.Empty, "scales"], ["y"], A.String("mode", "nearest"));

        // Float IO around a float16 body, as converters write it.
        var xw = Nd.Random(rng, E.Float, [16, 8], -0.5, 0.5).Cast(h);
        corpus.Add(new ModelSpec("fp16", "mlp-float-io"))
            .In("x", E.Float, "N", 16)
            .Out("y", E.Float, "N", 8)
            .Init("w", xw).Init("b", Nd.Random(rng, h, [8]))
            .Op("Cast", ["x"], ["xh"], A.ElementType("to", h))
            .Op("MatMul", ["xh", "w"], ["mm"])
            .Op("Add", ["mm", "b"], ["z"])
            .Op("Relu", ["z"], ["r"])
            .Op("Cast", ["r"], ["y"], A.ElementType("to", E.Float));
    }

    private static void AddOtherElementTypes(Corpus corpus, Rng rng)
    {
        var d = Nd.Random(rng, E.Double, [2, 5]);
        var dw = Nd.Random(rng, E.Double, [5]);
        corpus.Add(new ModelSpec("double", "add-exp"))
            .In("x", E.Double, "N", 5)
            .Out("y", E.Double, "N", 5)
            .Init("w", dw)
            .Op("Add", ["x", "w"], ["s"])
            .Op("Exp", ["s"], ["y"])
            .Feed("x", d)
            .Expect("y", Nd.Zip(d, dw, (p, q) => Math.Exp(p + q)));
        corpus.Add(new ModelSpec("double", "reducesum"))
            .In("x", E.Double, "N", 5)
            .Out("y", E.Double, "N", 1)
            .Init("axes", 1)
            .Op("ReduceSum", ["x", "axes"], ["y"])
            .Feed("x", d)
            .Expect("y", d.Reduce([1], true, g => g.Sum()));
        corpus.Add(new ModelSpec("double", "conv"))
            .In("x", E.Double, "N", 1, 5, 5)
            .Out("y", E.Double, "N", 1, 3, 3)
            .Init("w", Nd.Random(rng, E.Double, [1, 1, 3, 3]))
            .Op("Conv", ["x", "w"], ["y"])
            .Expecting("failed at session creation if the CPU provider has no double Conv kernel (a model problem: it should say so clearly)");

        // An image-style uint8 input scaled to [0, 1].
        var img = Nd.Random(rng, E.UInt8, [1, 3, 4, 4], 0, 256);
        corpus.Add(new ModelSpec("uint8", "image-normalize"))
            .In("image", E.UInt8, "N", 3, 4, 4)
            .Out("y", E.Float, "N", 3, 4, 4)
            .Init("scale", Nd.Scalar(E.Float, 1.0 / 255))
            .Op("Cast", ["image"], ["f"], A.ElementType("to", E.Float))
            .Op("Mul", ["f", "scale"], ["y"])
            .Feed("image", img)
            .Expect("y", img.Map(v => (float)v * (float)(1.0 / 255), E.Float));
        corpus.Add(new ModelSpec("bool", "mask-sum"))
            .In("mask", E.Bool, "N", 6)
            .Out("count", E.Float, "N", 1)
            .Init("axes", 1)
            .Op("Cast", ["mask"], ["f"], A.ElementType("to", E.Float))
            .Op("ReduceSum", ["f", "axes"], ["count"]);
        corpus.Add(new ModelSpec("int16", "cast-add"))
            .In("x", E.Int16, "N", 4)
            .Out("y", E.Int32, "N", 4)
            .Init("one", Nd.Scalar(E.Int32, 1))
            .Op("Cast", ["x"], ["i"], A.ElementType("to", E.Int32))
            .Op("Add", ["i", "one"], ["y"]);
        corpus.Add(new ModelSpec("string", "normalizer-lower"))
            .In("x", E.String, "N")
            .Out("y", E.String, "M")
            .Op("StringNormalizer", ["x"], ["y"], A.String("case_change_action", "LOWER"), A.String("locale", "C.UTF-8"))
            .Feed(TestValue.Strings("x", [3], "Hello", "WORLD", "MiXeD"))
            .Expect(TestValue.Strings("y", [3], "hello", "world", "mixed"));
        corpus.Add(new ModelSpec("string", "normalizer-stopwords-generated"))
            .In("x", E.String, 1, "words")
            .Out("y", E.String, 1, "kept")
            .Named("normalize", "StringNormalizer", ["x"], ["y"], A.String("case_change_action", "UPPER"))
            .StringsAttribute("normalize", "stopwords", "w1", "w2")
            .Dim("words", 5)
            .Expecting("ok where the en_US.UTF-8 locale (the operator's default) is installed; else runtime_error naming the locale");
        corpus.Add(new ModelSpec("string", "identity-passthrough"))
            .In("x", E.String, "N", 2)
            .Out("y", E.String, "N", 2)
            .Op("Identity", ["x"], ["y"]);
    }
}
