using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Unary and binary elementwise operators: activations, math, comparisons, logic, broadcasting.</summary>
internal static class Elementwise
{
    // Op, opset, data range of the test data, reference (null: inputs only), attributes,
    // and what generated data in [-1, 1) gives (null: no generated-data model).
    private sealed record Unary(string Op, long Opset, double Low, double High, Func<double, double>? Reference, A[] Attributes, string? Generated = "ok");

    private static readonly Unary[] s_unary =
    [
        new("Relu", 17, -1, 1, x => Math.Max(0, x), []),
        new("LeakyRelu", 17, -1, 1, x => x >= 0 ? x : 0.1f * x, [A.Float("alpha", 0.1f)]),
        new("Elu", 17, -2, 2, x => x >= 0 ? x : Math.Exp(x) - 1, []),
        new("Selu", 17, -2, 2, x => 1.05070102214813232421875 * (x > 0 ? x : (1.67326319217681884765625 * Math.Exp(x)) - 1.67326319217681884765625), []),
        new("Celu", 17, -2, 2, x => Math.Max(0, x) + Math.Min(0, Math.Exp(x) - 1), []),
        new("Sigmoid", 17, -4, 4, x => 1 / (1 + Math.Exp(-x)), []),
        new("HardSigmoid", 17, -4, 4, x => Math.Max(0, Math.Min(1, (0.2f * x) + 0.5f)), []),
        new("HardSwish", 17, -4, 4, x => x * Math.Max(0, Math.Min(1, (x / 6) + 0.5)), []),
        new("Tanh", 17, -3, 3, Math.Tanh, []),
        new("Exp", 17, -3, 3, Math.Exp, []),
        new("Log", 17, 0.1, 10, Math.Log, [], "failed: non_finite_output (Log of generated negatives is NaN; the test-data model feeds positives)"),
        new("Sqrt", 17, 0, 10, Math.Sqrt, [], "failed: non_finite_output (Sqrt of generated negatives is NaN)"),
        new("Reciprocal", 17, 0.5, 4, x => 1 / x, []),
        new("Abs", 17, -1, 1, Math.Abs, []),
        new("Neg", 17, -1, 1, x => -x, []),
        new("Floor", 17, -5, 5, Math.Floor, []),
        new("Ceil", 17, -5, 5, Math.Ceiling, []),
        new("Round", 17, -5, 5, x => Math.Round(x, MidpointRounding.ToEven), []),
        new("Sign", 17, -1, 1, x => Math.Sign(x), []),
        new("Sin", 17, -3, 3, Math.Sin, []),
        new("Cos", 17, -3, 3, Math.Cos, []),
        new("Tan", 17, -1, 1, Math.Tan, []),
        new("Asin", 17, -0.9, 0.9, Math.Asin, []),
        new("Acos", 17, -0.9, 0.9, Math.Acos, []),
        new("Atan", 17, -3, 3, Math.Atan, []),
        new("Sinh", 17, -2, 2, Math.Sinh, []),
        new("Cosh", 17, -2, 2, Math.Cosh, []),
        new("Asinh", 17, -2, 2, Math.Asinh, []),
        new("Acosh", 17, 1.1, 4, Math.Acosh, [], "failed: non_finite_output (Acosh below 1 is NaN)"),
        new("Atanh", 17, -0.9, 0.9, Math.Atanh, []),
        new("Erf", 17, -2, 2, null, []),
        new("Softplus", 17, -3, 3, x => Math.Log(1 + Math.Exp(x)), []),
        new("Softsign", 17, -3, 3, x => x / (1 + Math.Abs(x)), []),
        new("ThresholdedRelu", 17, -2, 2, x => x > 1 ? x : 0, []),
        new("Shrink", 17, -2, 2, x => x < -0.5 ? x : x > 0.5 ? x : 0, [A.Float("lambd", 0.5f)]),
        new("Mish", 18, -3, 3, x => x * Math.Tanh(Math.Log(1 + Math.Exp(x))), []),
        new("Gelu", 20, -3, 3, null, []),
        new("Gelu", 20, -3, 3, null, [A.String("approximate", "tanh")]),
    ];

    public static void Add(Corpus corpus)
    {
        var rng = new Rng(101);
        AddUnary(corpus, rng);
        AddArithmetic(corpus, rng);
        AddOthers(corpus, rng);
        AddComparisonsAndLogic(corpus, rng);
        AddIntegers(corpus, rng);
    }

    private static void AddUnary(Corpus corpus, Rng rng)
    {
        foreach (var u in s_unary)
        {
            var name = u.Op.ToLowerInvariant() + (u.Attributes.Length > 0 && u.Op == "Gelu" ? "-tanh" : string.Empty);
            var x = Nd.Random(rng, E.Float, [3, 4, 5], u.Low, u.High);
            var m = corpus.Add(new ModelSpec("unary", name + "-fixed", u.Opset))
                .In("x", E.Float, 3, 4, 5)
                .Out("y", E.Float, 3, 4, 5)
                .Op(u.Op, ["x"], ["y"], u.Attributes)
                .Feed("x", x);
            if (u.Reference is { } f)
            {
                m.Expect("y", x.Map(f));
            }

            if (u.Generated is { } outcome)
            {
                corpus.Add(new ModelSpec("unary", name + "-batch", u.Opset))
                    .In("x", E.Float, "N", 16)
                    .Out("y", E.Float, "N", 16)
                    .Op(u.Op, ["x"], ["y"], u.Attributes)
                    .Expecting(outcome);
            }
        }

        // Clip: bounds as inputs since opset 11, either may be left out.
        {
            var x = Nd.Random(rng, E.Float, [2, 8], -3, 3);
            corpus.Add(new ModelSpec("unary", "clip-min-max"))
                .In("x", E.Float, 2, 8)
                .Out("y", E.Float, 2, 8)
                .Init("lo", Nd.Scalar(E.Float, -1))
                .Init("hi", Nd.Scalar(E.Float, 1.5))
                .Op("Clip", ["x", "lo", "hi"], ["y"])
                .Feed("x", x)
                .Expect("y", x.Map(v => Math.Clamp(v, -1, 1.5)));
            corpus.Add(new ModelSpec("unary", "clip-max-only"))
                .In("x", E.Float, "N", 8)
                .Out("y", E.Float, "N", 8)
                .Init("hi", Nd.Scalar(E.Float, 0.25))
                .Op("Clip", ["x", string.Empty, "hi"], ["y"]);
            var xi = Nd.Random(rng, E.Int32, [10], -20, 20);
            corpus.Add(new ModelSpec("unary", "clip-int32"))
                .In("x", E.Int32, 10)
                .Out("y", E.Int32, 10)
                .Init("lo", Nd.Scalar(E.Int32, -5))
                .Init("hi", Nd.Scalar(E.Int32, 5))
                .Op("Clip", ["x", "lo", "hi"], ["y"])
                .Feed("x", xi)
                .Expect("y", xi.Map(v => Math.Clamp(v, -5, 5)));
        }

        // IsNaN / IsInf: float in, bool out.
        var special = Nd.Of(E.Float, [6], 1, double.NaN, double.PositiveInfinity, -2, double.NegativeInfinity, 0);
        corpus.Add(new ModelSpec("unary", "isnan"))
            .In("x", E.Float, 6)
            .Out("y", E.Bool, 6)
            .Op("IsNaN", ["x"], ["y"])
            .Feed("x", special)
            .Expect("y", special.Map(v => double.IsNaN(v) ? 1 : 0, E.Bool));
        corpus.Add(new ModelSpec("unary", "isinf"))
            .In("x", E.Float, 6)
            .Out("y", E.Bool, 6)
            .Op("IsInf", ["x"], ["y"])
            .Feed("x", special)
            .Expect("y", special.Map(v => double.IsInfinity(v) ? 1 : 0, E.Bool));
    }

    private static void AddArithmetic(Corpus corpus, Rng rng)
    {
        var ops = new (string Op, Func<double, double, double> F, double Low, double High)[]
        {
            ("Add", (a, b) => a + b, -1, 1),
            ("Sub", (a, b) => a - b, -1, 1),
            ("Mul", (a, b) => a * b, -1, 1),
            ("Div", (a, b) => a / b, 0.5, 2),
        };
        foreach (var (op, f, low, high) in ops)
        {
            var name = op.ToLowerInvariant();

            // Same shape, both inputs.
            var a = Nd.Random(rng, E.Float, [3, 4, 5]);
            var b = Nd.Random(rng, E.Float, [3, 4, 5], low, high);
            corpus.Add(new ModelSpec("binary", name + "-same-shape"))
                .In("a", E.Float, 3, 4, 5).In("b", E.Float, 3, 4, 5)
                .Out("c", E.Float, 3, 4, 5)
                .Op(op, ["a", "b"], ["c"])
                .Feed("a", a).Feed("b", b)
                .Expect("c", Nd.Zip(a, b, f));

            // A batch input and a trailing-axis weight.
            var x = Nd.Random(rng, E.Float, [2, 4, 5]);
            var w = Nd.Random(rng, E.Float, [5], low, high);
            corpus.Add(new ModelSpec("binary", name + "-broadcast-weight"))
                .In("x", E.Float, "N", 4, 5)
                .Out("y", E.Float, "N", 4, 5)
                .Init("w", w)
                .Op(op, ["x", "w"], ["y"])
                .Feed("x", x)
                .Expect("y", Nd.Zip(x, w, f));

            // Both sides broadcast: [N,1,5] with [4,1] gives [N,4,5]; generated data.
            corpus.Add(new ModelSpec("binary", name + "-broadcast-both"))
                .In("a", E.Float, "N", 1, 5).In("b", E.Float, 4, 1)
                .Out("c", E.Float, "N", 4, 5)
                .Op(op, ["a", "b"], ["c"]);

            // A scalar input against a batch.
            var s = Nd.Scalar(E.Float, rng.Uniform(low, high));
            var t = Nd.Random(rng, E.Float, [2, 3], low, high);
            corpus.Add(new ModelSpec("binary", name + "-scalar"))
                .In("s", E.Float).In("t", E.Float, "N", 3)
                .Out("u", E.Float, "N", 3)
                .Op(op, ["t", "s"], ["u"])
                .Feed("s", s).Feed("t", t)
                .Expect("u", Nd.Zip(t, s, f));
        }

        var baseValues = Nd.Random(rng, E.Float, [3, 4], 0.5, 3);
        var exponent = Nd.Random(rng, E.Float, [3, 4], -2, 2);
        corpus.Add(new ModelSpec("binary", "pow-float"))
            .In("x", E.Float, 3, 4).In("p", E.Float, 3, 4)
            .Out("y", E.Float, 3, 4)
            .Op("Pow", ["x", "p"], ["y"])
            .Feed("x", baseValues).Feed("p", exponent)
            .Expect("y", Nd.Zip(baseValues, exponent, Math.Pow));
        corpus.Add(new ModelSpec("binary", "pow-int64-exponent"))
            .In("x", E.Float, "N", 6)
            .Out("y", E.Float, "N", 6)
            .Init("p", Nd.Scalar(E.Int64, 2))
            .Op("Pow", ["x", "p"], ["y"]);
        corpus.Add(new ModelSpec("binary", "pow-generated-exponent"))
            .In("x", E.Float, "N", 6).In("p", E.Float, "N", 6)
            .Out("y", E.Float, "N", 6)
            .Op("Pow", ["x", "p"], ["y"])
            .Expecting("failed: non_finite_output (negative generated bases to fractional powers are NaN)");

        // Variadic: three inputs broadcast together.
        foreach (var (op, f) in new (string, Func<double[], double>)[] { ("Max", v => v.Max()), ("Min", v => v.Min()), ("Sum", v => v.Sum()), ("Mean", v => v.Sum() / 3) })
        {
            var p = Nd.Random(rng, E.Float, [2, 4]);
            var q = Nd.Random(rng, E.Float, [4]);
            var r = Nd.Random(rng, E.Float, [2, 1]);
            corpus.Add(new ModelSpec("binary", op.ToLowerInvariant() + "-variadic"))
                .In("p", E.Float, 2, 4).In("q", E.Float, 4).In("r", E.Float, 2, 1)
                .Out("y", E.Float, 2, 4)
                .Op(op, ["p", "q", "r"], ["y"])
                .Feed("p", p).Feed("q", q).Feed("r", r)
                .Expect("y", Nd.Zip(f, E.Float, p, q, r));
        }

        // PRelu with a per-channel slope.
        var xp = Nd.Random(rng, E.Float, [2, 4]);
        var slope = Nd.Random(rng, E.Float, [4], 0, 0.5);
        corpus.Add(new ModelSpec("binary", "prelu"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Init("slope", slope)
            .Op("PRelu", ["x", "slope"], ["y"])
            .Feed("x", xp)
            .Expect("y", Nd.Zip(xp, slope, (v, k) => v >= 0 ? v : v * k));
    }

    private static void AddOthers(Corpus corpus, Rng rng)
    {
        // Mod: integer (sign of the divisor) and fmod (sign of the dividend).
        var a = Nd.Random(rng, E.Int64, [12], -50, 50);
        var b = Nd.Vector(E.Int64, [.. Enumerable.Range(0, 12).Select(i => (double)((i % 2 == 0 ? 1 : -1) * (1 + (i % 7))))]);
        corpus.Add(new ModelSpec("binary", "mod-int64"))
            .In("a", E.Int64, 12).In("b", E.Int64, 12)
            .Out("c", E.Int64, 12)
            .Op("Mod", ["a", "b"], ["c"])
            .Feed("a", a).Feed("b", b)
            .Expect("c", Nd.Zip(a, b, (x, y) => x - (y * Math.Floor(x / y))));
        var fa = Nd.Random(rng, E.Float, [12], -5, 5);
        var fb = Nd.Random(rng, E.Float, [12], 0.5, 2);
        corpus.Add(new ModelSpec("binary", "mod-fmod-float"))
            .In("a", E.Float, 12).In("b", E.Float, 12)
            .Out("c", E.Float, 12)
            .Op("Mod", ["a", "b"], ["c"], A.Int("fmod", 1))
            .Feed("a", fa).Feed("b", fb)
            .Expect("c", Nd.Zip(fa, fb, (x, y) => x - (Math.Truncate(x / y) * y)));
        corpus.Add(new ModelSpec("binary", "mod-int32-generated"))
            .In("a", E.Int32, "N", 8).In("b", E.Int32, "N", 8)
            .Out("c", E.Int32, "N", 8)
            .Op("Mod", ["a", "b"], ["c"])
            .Expecting("ok (the generated divisor must not be zero: an input hint)");

        // Bit shifts and bitwise operators on unsigned and signed integers.
        var u = Nd.Random(rng, E.UInt8, [8], 0, 32);
        var k = Nd.Random(rng, E.UInt8, [8], 0, 3);
        corpus.Add(new ModelSpec("binary", "bitshift-left-uint8"))
            .In("x", E.UInt8, 8).In("k", E.UInt8, 8)
            .Out("y", E.UInt8, 8)
            .Op("BitShift", ["x", "k"], ["y"], A.String("direction", "LEFT"))
            .Feed("x", u).Feed("k", k)
            .Expect("y", Nd.Zip(u, k, (x, s) => ((long)x << (int)s) & 0xFF));
        corpus.Add(new ModelSpec("binary", "bitshift-right-uint32"))
            .In("x", E.UInt32, "N", 4)
            .Out("y", E.UInt32, "N", 4)
            .Init("k64", 1, 2, 3, 4)
            .Op("Cast", ["k64"], ["k"], A.ElementType("to", E.UInt32))
            .Op("BitShift", ["x", "k"], ["y"], A.String("direction", "RIGHT"));
        var ia = Nd.Random(rng, E.Int32, [3, 4], -100, 100);
        var ib = Nd.Random(rng, E.Int32, [3, 4], -100, 100);
        foreach (var (op, f) in new (string, Func<long, long, long>)[] { ("BitwiseAnd", (x, y) => x & y), ("BitwiseOr", (x, y) => x | y), ("BitwiseXor", (x, y) => x ^ y) })
        {
            corpus.Add(new ModelSpec("binary", op.ToLowerInvariant() + "-int32", 18))
                .In("a", E.Int32, 3, 4).In("b", E.Int32, 3, 4)
                .Out("c", E.Int32, 3, 4)
                .Op(op, ["a", "b"], ["c"])
                .Feed("a", ia).Feed("b", ib)
                .Expect("c", Nd.Zip(ia, ib, (x, y) => f((long)x, (long)y)));
        }

        corpus.Add(new ModelSpec("unary", "bitwisenot-int32", 18))
            .In("a", E.Int32, 3, 4)
            .Out("c", E.Int32, 3, 4)
            .Op("BitwiseNot", ["a"], ["c"])
            .Feed("a", ia)
            .Expect("c", ia.Map(x => ~(long)x));
    }

    private static void AddComparisonsAndLogic(Corpus corpus, Rng rng)
    {
        var comparisons = new (string Op, long Opset, Func<double, double, bool> F)[]
        {
            ("Equal", 17, (x, y) => x == y),
            ("Less", 17, (x, y) => x < y),
            ("Greater", 17, (x, y) => x > y),
            ("LessOrEqual", 17, (x, y) => x <= y),
            ("GreaterOrEqual", 17, (x, y) => x >= y),
        };
        foreach (var (op, opset, f) in comparisons)
        {
            // Small integers as floats, so equality happens.
            var x = Nd.Random(rng, E.Float, [2, 4], -3, 3).Map(Math.Floor);
            var y = Nd.Random(rng, E.Float, [4], -3, 3).Map(Math.Floor);
            corpus.Add(new ModelSpec("compare", op.ToLowerInvariant() + "-float-broadcast", opset))
                .In("x", E.Float, "N", 4).In("y", E.Float, 4)
                .Out("z", E.Bool, "N", 4)
                .Op(op, ["x", "y"], ["z"])
                .Feed("x", x).Feed("y", y)
                .Expect("z", Nd.Zip(x, y, (p, q) => f(p, q) ? 1 : 0, E.Bool));
        }

        var ix = Nd.Random(rng, E.Int64, [10], 0, 4);
        var iy = Nd.Random(rng, E.Int64, [10], 0, 4);
        corpus.Add(new ModelSpec("compare", "equal-int64"))
            .In("x", E.Int64, 10).In("y", E.Int64, 10)
            .Out("z", E.Bool, 10)
            .Op("Equal", ["x", "y"], ["z"])
            .Feed("x", ix).Feed("y", iy)
            .Expect("z", Nd.Zip(ix, iy, (p, q) => p == q ? 1 : 0, E.Bool));
        corpus.Add(new ModelSpec("compare", "less-int32-generated"))
            .In("x", E.Int32, "N", 5).In("y", E.Int32, "N", 5)
            .Out("z", E.Bool, "N", 5)
            .Op("Less", ["x", "y"], ["z"]);
        corpus.Add(new ModelSpec("compare", "equal-string", 19))
            .In("x", E.String, "N", 3).In("y", E.String, "N", 3)
            .Out("z", E.Bool, "N", 3)
            .Op("Equal", ["x", "y"], ["z"]);

        var p = Nd.Random(rng, E.Bool, [3, 4]);
        var q = Nd.Random(rng, E.Bool, [3, 4]);
        foreach (var (op, f) in new (string, Func<bool, bool, bool>)[] { ("And", (x, y) => x && y), ("Or", (x, y) => x || y), ("Xor", (x, y) => x ^ y) })
        {
            corpus.Add(new ModelSpec("logic", op.ToLowerInvariant() + "-bool"))
                .In("p", E.Bool, 3, 4).In("q", E.Bool, 3, 4)
                .Out("r", E.Bool, 3, 4)
                .Op(op, ["p", "q"], ["r"])
                .Feed("p", p).Feed("q", q)
                .Expect("r", Nd.Zip(p, q, (x, y) => f(x != 0, y != 0) ? 1 : 0));
        }

        corpus.Add(new ModelSpec("logic", "not-bool"))
            .In("p", E.Bool, 3, 4)
            .Out("r", E.Bool, 3, 4)
            .Op("Not", ["p"], ["r"])
            .Feed("p", p)
            .Expect("r", p.Map(x => x != 0 ? 0 : 1));
        corpus.Add(new ModelSpec("logic", "and-broadcast-generated"))
            .In("p", E.Bool, "N", 4).In("q", E.Bool, 4)
            .Out("r", E.Bool, "N", 4)
            .Op("And", ["p", "q"], ["r"]);

        // Where: a bool condition choosing between two broadcast operands.
        var cond = Nd.Random(rng, E.Bool, [3, 4]);
        var wx = Nd.Random(rng, E.Float, [3, 4]);
        var wy = Nd.Random(rng, E.Float, [4]);
        corpus.Add(new ModelSpec("logic", "where-float"))
            .In("c", E.Bool, 3, 4).In("x", E.Float, 3, 4).In("y", E.Float, 4)
            .Out("z", E.Float, 3, 4)
            .Op("Where", ["c", "x", "y"], ["z"])
            .Feed("c", cond).Feed("x", wx).Feed("y", wy)
            .Expect("z", Nd.Zip(v => v[0] != 0 ? v[1] : v[2], E.Float, cond, wx, wy));
        corpus.Add(new ModelSpec("logic", "where-generated-condition"))
            .In("c", E.Bool, "N", 4)
            .Out("z", E.Float, "N", 4)
            .Init("x", Nd.Random(rng, E.Float, [4]))
            .Init("y", Nd.Scalar(E.Float, 0))
            .Op("Where", ["c", "x", "y"], ["z"]);
        var wi = Nd.Random(rng, E.Int64, [3, 4], -9, 9);
        corpus.Add(new ModelSpec("logic", "where-from-comparison-int64"))
            .In("x", E.Int64, 3, 4)
            .Out("z", E.Int64, 3, 4)
            .Init("zero", Nd.Scalar(E.Int64, 0))
            .Op("Greater", ["x", "zero"], ["positive"])
            .Op("Where", ["positive", "x", "zero"], ["z"])
            .Feed("x", wi)
            .Expect("z", wi.Map(v => Math.Max(0, v)));
    }

    private static void AddIntegers(Corpus corpus, Rng rng)
    {
        var a = Nd.Random(rng, E.Int32, [4, 5], -1000, 1000);
        var b = Nd.Random(rng, E.Int32, [4, 5], -1000, 1000);
        corpus.Add(new ModelSpec("binary", "add-int32"))
            .In("a", E.Int32, 4, 5).In("b", E.Int32, 4, 5)
            .Out("c", E.Int32, 4, 5)
            .Op("Add", ["a", "b"], ["c"])
            .Feed("a", a).Feed("b", b)
            .Expect("c", Nd.Zip(a, b, (x, y) => x + y));
        var la = Nd.Random(rng, E.Int64, [2, 5], -1000, 1000);
        var lb = Nd.Random(rng, E.Int64, [5], -1000, 1000);
        corpus.Add(new ModelSpec("binary", "sub-int64-broadcast"))
            .In("a", E.Int64, "N", 5).In("b", E.Int64, 5)
            .Out("c", E.Int64, "N", 5)
            .Op("Sub", ["a", "b"], ["c"])
            .Feed("a", la).Feed("b", lb)
            .Expect("c", Nd.Zip(la, lb, (x, y) => x - y));
        corpus.Add(new ModelSpec("binary", "mul-int64-generated"))
            .In("a", E.Int64, "N", 5).In("b", E.Int64, "N", 5)
            .Out("c", E.Int64, "N", 5)
            .Op("Mul", ["a", "b"], ["c"]);
        corpus.Add(new ModelSpec("binary", "div-int32-generated"))
            .In("a", E.Int32, "N", 5).In("b", E.Int32, "N", 5)
            .Out("c", E.Int32, "N", 5)
            .Op("Div", ["a", "b"], ["c"])
            .Expecting("ok (a zero generated divisor would raise SIGFPE in the worker: an input hint keeps it non-zero)");
        var da = Nd.Random(rng, E.Int64, [10], -100, 100);
        var db = Nd.Vector(E.Int64, [.. Enumerable.Range(0, 10).Select(i => (double)((i % 2 == 0 ? 1 : -1) * (1 + i)))]);
        corpus.Add(new ModelSpec("binary", "div-int64"))
            .In("a", E.Int64, 10).In("b", E.Int64, 10)
            .Out("c", E.Int64, 10)
            .Op("Div", ["a", "b"], ["c"])
            .Feed("a", da).Feed("b", db)
            .Expect("c", Nd.Zip(da, db, (x, y) => Math.Truncate(x / y)));
        var ma = Nd.Random(rng, E.Int32, [6], -50, 50);
        var mb = Nd.Random(rng, E.Int32, [6], -50, 50);
        corpus.Add(new ModelSpec("binary", "max-int32"))
            .In("a", E.Int32, 6).In("b", E.Int32, 6)
            .Out("c", E.Int32, 6)
            .Op("Max", ["a", "b"], ["c"])
            .Feed("a", ma).Feed("b", mb)
            .Expect("c", Nd.Zip(ma, mb, Math.Max));
        corpus.Add(new ModelSpec("unary", "abs-int64"))
            .In("a", E.Int64, 2, 5)
            .Out("c", E.Int64, 2, 5)
            .Op("Abs", ["a"], ["c"])
            .Feed("a", la)
            .Expect("c", la.Map(Math.Abs));
        corpus.Add(new ModelSpec("unary", "neg-int32"))
            .In("a", E.Int32, 4, 5)
            .Out("c", E.Int32, 4, 5)
            .Op("Neg", ["a"], ["c"])
            .Feed("a", a)
            .Expect("c", a.Map(x => -x));
    }
}
