using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>MatMul, Gemm and Einsum: weights and inputs, batched and broadcast, several element types.</summary>
internal static class Linear
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(202);

        var x = Nd.Random(rng, E.Float, [2, 16]);
        var w = Nd.Random(rng, E.Float, [16, 8], -0.5, 0.5);
        corpus.Add(new ModelSpec("matmul", "weight"))
            .In("x", E.Float, "N", 16)
            .Out("y", E.Float, "N", 8)
            .Init("w", w)
            .Op("MatMul", ["x", "w"], ["y"])
            .Feed("x", x)
            .Expect("y", x.MatMul(w));

        var a = Nd.Random(rng, E.Float, [3, 4]);
        var b = Nd.Random(rng, E.Float, [4, 5]);
        corpus.Add(new ModelSpec("matmul", "two-inputs-fixed"))
            .In("a", E.Float, 3, 4).In("b", E.Float, 4, 5)
            .Out("c", E.Float, 3, 5)
            .Op("MatMul", ["a", "b"], ["c"])
            .Feed("a", a).Feed("b", b)
            .Expect("c", a.MatMul(b));

        var ba = Nd.Random(rng, E.Float, [2, 3, 4]);
        var bb = Nd.Random(rng, E.Float, [2, 4, 5]);
        corpus.Add(new ModelSpec("matmul", "batched"))
            .In("a", E.Float, "N", 3, 4).In("b", E.Float, "N", 4, 5)
            .Out("c", E.Float, "N", 3, 5)
            .Op("MatMul", ["a", "b"], ["c"])
            .Feed("a", ba).Feed("b", bb)
            .Expect("c", ba.MatMul(bb));
        corpus.Add(new ModelSpec("matmul", "batched-generated"))
            .In("a", E.Float, "N", 3, 4).In("b", E.Float, "N", 4, 5)
            .Out("c", E.Float, "N", 3, 5)
            .Op("MatMul", ["a", "b"], ["c"]);

        var ra = Nd.Random(rng, E.Float, [2, 3, 4]);
        var rb = Nd.Random(rng, E.Float, [4, 5]);
        corpus.Add(new ModelSpec("matmul", "broadcast-rank3-rank2"))
            .In("a", E.Float, 2, 3, 4).In("b", E.Float, 4, 5)
            .Out("c", E.Float, 2, 3, 5)
            .Op("MatMul", ["a", "b"], ["c"])
            .Feed("a", ra).Feed("b", rb)
            .Expect("c", ra.Reshape(6, 4).MatMul(rb).Reshape(2, 3, 5));

        var v = Nd.Random(rng, E.Float, [4]);
        corpus.Add(new ModelSpec("matmul", "vector-matrix"))
            .In("v", E.Float, 4).In("m", E.Float, 4, 5)
            .Out("y", E.Float, 5)
            .Op("MatMul", ["v", "m"], ["y"])
            .Feed("v", v).Feed("m", b)
            .Expect("y", v.Reshape(1, 4).MatMul(b).Reshape(5));

        var xd = Nd.Random(rng, E.Double, [2, 8]);
        var wd = Nd.Random(rng, E.Double, [8, 4]);
        corpus.Add(new ModelSpec("matmul", "double"))
            .In("x", E.Double, "N", 8)
            .Out("y", E.Double, "N", 4)
            .Init("w", wd)
            .Op("MatMul", ["x", "w"], ["y"])
            .Feed("x", xd)
            .Expect("y", xd.MatMul(wd));

        var ia = Nd.Random(rng, E.Int64, [3, 4], -10, 10);
        var ib = Nd.Random(rng, E.Int64, [4, 2], -10, 10);
        corpus.Add(new ModelSpec("matmul", "int64"))
            .In("a", E.Int64, 3, 4).In("b", E.Int64, 4, 2)
            .Out("c", E.Int64, 3, 2)
            .Op("MatMul", ["a", "b"], ["c"])
            .Feed("a", ia).Feed("b", ib)
            .Expect("c", ia.MatMul(ib));
        corpus.Add(new ModelSpec("matmul", "int32-generated"))
            .In("a", E.Int32, "N", 4).In("b", E.Int32, 4, 3)
            .Out("c", E.Int32, "N", 3)
            .Op("MatMul", ["a", "b"], ["c"]);

        var big = Nd.Random(rng, E.Float, [64, 64], -0.1, 0.1);
        corpus.Add(new ModelSpec("matmul", "square-64"))
            .In("x", E.Float, "N", 64)
            .Out("y", E.Float, "N", 64)
            .Init("w", big)
            .Op("MatMul", ["x", "w"], ["h"])
            .Op("MatMul", ["h", "w"], ["y"]);

        // Gemm: Y = alpha * A' * B' + beta * C.
        var gw = Nd.Random(rng, E.Float, [16, 8], -0.5, 0.5);
        var gc = Nd.Random(rng, E.Float, [8]);
        corpus.Add(new ModelSpec("gemm", "bias"))
            .In("x", E.Float, "N", 16)
            .Out("y", E.Float, "N", 8)
            .Init("w", gw).Init("c", gc)
            .Op("Gemm", ["x", "w", "c"], ["y"])
            .Feed("x", x)
            .Expect("y", Nd.Zip(x.MatMul(gw, E.Double), gc, (p, q) => p + q, E.Float));

        var gwt = gw.Transpose(1, 0);
        corpus.Add(new ModelSpec("gemm", "transb-alpha-beta"))
            .In("x", E.Float, "N", 16)
            .Out("y", E.Float, "N", 8)
            .Init("w", gwt).Init("c", gc)
            .Op("Gemm", ["x", "w", "c"], ["y"], A.Int("transB", 1), A.Float("alpha", 0.5f), A.Float("beta", 2f))
            .Feed("x", x)
            .Expect("y", Nd.Zip(x.MatMul(gw, E.Double), gc, (p, q) => (0.5 * p) + (2 * q), E.Float));

        var at = Nd.Random(rng, E.Float, [4, 3]);
        corpus.Add(new ModelSpec("gemm", "transa-inputs"))
            .In("a", E.Float, 4, 3).In("b", E.Float, 4, 5)
            .Out("y", E.Float, 3, 5)
            .Op("Gemm", ["a", "b"], ["y"], A.Int("transA", 1))
            .Feed("a", at).Feed("b", b)
            .Expect("y", at.Transpose(1, 0).MatMul(b));

        corpus.Add(new ModelSpec("gemm", "no-bias"))
            .In("x", E.Float, "N", 16)
            .Out("y", E.Float, "N", 8)
            .Init("w", gw)
            .Op("Gemm", ["x", "w"], ["y"])
            .Feed("x", x)
            .Expect("y", x.MatMul(gw));

        corpus.Add(new ModelSpec("gemm", "scalar-bias"))
            .In("x", E.Float, "N", 16)
            .Out("y", E.Float, "N", 8)
            .Init("w", gw).Init("c", Nd.Scalar(E.Float, 0.25))
            .Op("Gemm", ["x", "w", "c"], ["y"])
            .Feed("x", x)
            .Expect("y", x.MatMul(gw, E.Double).Map(p => p + 0.25, E.Float));

        corpus.Add(new ModelSpec("gemm", "double"))
            .In("x", E.Double, "N", 8)
            .Out("y", E.Double, "N", 4)
            .Init("w", wd).Init("c", Nd.Random(rng, E.Double, [4]))
            .Op("Gemm", ["x", "w", "c"], ["y"]);

        // Einsum (opset 12+).
        corpus.Add(new ModelSpec("einsum", "matmul"))
            .In("a", E.Float, 3, 4).In("b", E.Float, 4, 5)
            .Out("c", E.Float, 3, 5)
            .Op("Einsum", ["a", "b"], ["c"], A.String("equation", "ij,jk->ik"))
            .Feed("a", a).Feed("b", b)
            .Expect("c", a.MatMul(b));
        corpus.Add(new ModelSpec("einsum", "batched"))
            .In("a", E.Float, "N", 3, 4).In("b", E.Float, "N", 4, 5)
            .Out("c", E.Float, "N", 3, 5)
            .Op("Einsum", ["a", "b"], ["c"], A.String("equation", "bij,bjk->bik"))
            .Feed("a", ba).Feed("b", bb)
            .Expect("c", ba.MatMul(bb));
        corpus.Add(new ModelSpec("einsum", "column-sum"))
            .In("a", E.Float, 3, 4)
            .Out("s", E.Float, 4)
            .Op("Einsum", ["a"], ["s"], A.String("equation", "ij->j"))
            .Feed("a", a)
            .Expect("s", a.Reduce([0], false, g => g.Sum()));
    }
}
