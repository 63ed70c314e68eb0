using BenchDaemon.Workloads.Models.Graph;
using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Reductions with axes as an attribute (opset 17) and as an input (opset 18), ArgMax and ArgMin.</summary>
internal static class Reductions
{
    private static readonly (string Op, Func<IReadOnlyList<double>, double> F, double Low, double High)[] s_ops =
    [
        ("ReduceSum", g => g.Sum(), -1, 1),
        ("ReduceMean", g => g.Average(), -1, 1),
        ("ReduceMax", g => g.Max(), -1, 1),
        ("ReduceMin", g => g.Min(), -1, 1),
        ("ReduceProd", g => g.Aggregate(1.0, (a, v) => a * v), 0.5, 1.5),
        ("ReduceL1", g => g.Sum(Math.Abs), -1, 1),
        ("ReduceL2", g => Math.Sqrt(g.Sum(v => v * v)), -1, 1),
        ("ReduceLogSum", g => Math.Log(g.Sum()), 0.1, 2),
        ("ReduceLogSumExp", g => Math.Log(g.Sum(Math.Exp)), -2, 2),
        ("ReduceSumSquare", g => g.Sum(v => v * v), -1, 1),
    ];

    public static void Add(Corpus corpus)
    {
        var rng = new Rng(505);
        foreach (var (op, f, low, high) in s_ops)
        {
            var name = op["Reduce".Length..].ToLowerInvariant();

            // Opset 17: axes an attribute (ReduceSum's is an input since opset 13).
            var x = Nd.Random(rng, E.Float, [3, 4, 5], low, high);
            var m = corpus.Add(new ModelSpec("reduce", name + "-axes-attribute"))
                .In("x", E.Float, 3, 4, 5)
                .Out("y", E.Float, 3, 1, 5);
            if (op == "ReduceSum")
            {
                m.Init("axes", 1).Op(op, ["x", "axes"], ["y"]);
            }
            else
            {
                m.Op(op, ["x"], ["y"], A.Ints("axes", 1));
            }

            m.Feed("x", x).Expect("y", x.Reduce([1], true, f));

            // Opset 18: axes an input, here an initializer; keepdims 0 drops the axis.
            var b = Nd.Random(rng, E.Float, [2, 6], low, high);
            corpus.Add(new ModelSpec("reduce", name + "-axes-input", 18))
                .In("x", E.Float, "N", 6)
                .Out("y", E.Float, "N")
                .Init("axes", -1)
                .Op(op, ["x", "axes"], ["y"], A.Int("keepdims", 0))
                .Feed("x", b)
                .Expect("y", b.Reduce([-1], false, f));
        }

        corpus.Add(new ModelSpec("reduce", "mean-axes-graph-input", 18))
            .In("x", E.Float, "N", 4, 6)
            .In("axes", E.Int64, 1)
            .Out("y", OnnxType.TensorOfAnyShape(E.Float))
            .Op("ReduceMean", ["x", "axes"], ["y"])
            .Expecting("ok if the generated axes lie within the rank (an input hint); else runtime_error");
        corpus.Add(new ModelSpec("reduce", "sum-axes-graph-input", 13))
            .In("x", E.Float, "N", 4, 6)
            .In("axes", E.Int64, 1)
            .Out("y", OnnxType.TensorOfAnyShape(E.Float))
            .Op("ReduceSum", ["x", "axes"], ["y"])
            .Expecting("ok if the generated axes lie within the rank (an input hint); else runtime_error");

        var all = Nd.Random(rng, E.Float, [3, 4]);
        corpus.Add(new ModelSpec("reduce", "sum-all-to-scalar"))
            .In("x", E.Float, 3, 4)
            .Out("y", E.Float)
            .Op("ReduceSum", ["x"], ["y"], A.Int("keepdims", 0))
            .Feed("x", all)
            .Expect("y", all.Reduce([], false, g => g.Sum()));
        corpus.Add(new ModelSpec("reduce", "max-noop-empty-axes", 18))
            .In("x", E.Float, 3, 4)
            .Out("y", E.Float, 3, 4)
            .Op("ReduceMax", ["x"], ["y"], A.Int("noop_with_empty_axes", 1))
            .Feed("x", all)
            .Expect("y", all);
        var ints = Nd.Random(rng, E.Int64, [2, 5], -100, 100);
        corpus.Add(new ModelSpec("reduce", "sum-int64"))
            .In("x", E.Int64, "N", 5)
            .Out("y", E.Int64, "N", 1)
            .Init("axes", 1)
            .Op("ReduceSum", ["x", "axes"], ["y"])
            .Feed("x", ints)
            .Expect("y", ints.Reduce([1], true, g => g.Sum()));
        corpus.Add(new ModelSpec("reduce", "max-int32-generated", 18))
            .In("x", E.Int32, "N", 5)
            .Out("y", E.Int32)
            .Op("ReduceMax", ["x"], ["y"], A.Int("keepdims", 0));

        var ax = Nd.Random(rng, E.Float, [2, 7]);
        corpus.Add(new ModelSpec("reduce", "argmax"))
            .In("x", E.Float, "N", 7)
            .Out("i", E.Int64, "N")
            .Op("ArgMax", ["x"], ["i"], A.Int("axis", 1), A.Int("keepdims", 0))
            .Feed("x", ax)
            .Expect("i", ax.ArgMax(1, false));
        corpus.Add(new ModelSpec("reduce", "argmin-keepdims"))
            .In("x", E.Float, "N", 7)
            .Out("i", E.Int64, "N", 1)
            .Op("ArgMin", ["x"], ["i"], A.Int("axis", -1))
            .Feed("x", ax)
            .Expect("i", ax.ArgMax(1, true, min: true));
        corpus.Add(new ModelSpec("reduce", "argmax-int32-last-index"))
            .In("x", E.Int32, "N", 7)
            .Out("i", E.Int64, 1, 7)
            .Op("ArgMax", ["x"], ["i"], A.Int("axis", 0), A.Int("select_last_index", 1));
    }
}
