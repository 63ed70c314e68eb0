using BenchDaemon.Workloads.Models.Graph;
using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>The same small graphs under every kind of input shape: fixed, symbolic batch, other symbolic dimensions (given and not), unnamed, scalar, empty, any rank.</summary>
internal static class Dims
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(1515);
        var unknown = default(OnnxDim);

        ModelSpec Relu(string name, params OnnxDim[] dims) => corpus.Add(new ModelSpec("dims", name))
            .In("x", E.Float, dims)
            .Out("y", E.Float, dims)
            .Op("Relu", ["x"], ["y"]);

        var fixedData = Nd.Random(rng, E.Float, [3, 4, 5]);
        Relu("fixed-3x4x5", 3, 4, 5).Feed("x", fixedData).Expect("y", fixedData.Map(v => Math.Max(0, v)));
        Relu("fixed-3x4x5-generated", 3, 4, 5);
        Relu("batch-n", "N", 8);
        Relu("batch-named-batch", "batch", 8);
        Relu("batch-unnamed", unknown, 8).Expecting("ok (an unnamed first dimension is the batch)");
        Relu("symbolic-sequence-given", "N", "S", 8).Dim("S", 4);
        Relu("symbolic-sequence-missing", "N", "S", 8)
            .Expecting("failed: input_error (Inputs:S is needed: the message must say so)");
        Relu("all-symbolic-given", "N", "C", "H", "W").Dim("C", 3).Dim("H", 5).Dim("W", 7);
        Relu("unnamed-non-batch", "N", unknown)
            .Expecting("failed: input_error (an unnamed dynamic dimension cannot be bound: the message must say so)");
        Relu("fixed-first-symbolic-later", 4, "S").Dim("S", 3);
        Relu("rank5", "N", 2, 2, 2, 2);
        Relu("rank1-fixed", 7);
        Relu("rank1-batch", "N");
        Relu("large-image", 1, 3, 224, 224);
        var empty = Nd.Filled(E.Float, [0, 4], 0);
        Relu("zero-size-fixed", 0, 4).Feed("x", empty).Expect("y", empty);
        Relu("zero-size-generated", 0, 4);
        Relu("same-symbol-in-batch-and-later", "N", "N").Expecting("either ok (the batch symbol reused in another dimension takes the batch size) or input_error naming Inputs:N");

        var scalar = Nd.Scalar(E.Float, -1.25);
        corpus.Add(new ModelSpec("dims", "scalar-input"))
            .In("x", E.Float)
            .Out("y", E.Float)
            .Op("Relu", ["x"], ["y"])
            .Feed("x", scalar)
            .Expect("y", Nd.Scalar(E.Float, 0));
        corpus.Add(new ModelSpec("dims", "scalar-input-generated"))
            .In("x", E.Float)
            .Out("y", E.Float)
            .Op("Relu", ["x"], ["y"]);
        corpus.Add(new ModelSpec("dims", "scalar-and-batch"))
            .In("s", E.Float).In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("Mul", ["x", "s"], ["y"]);
        corpus.Add(new ModelSpec("dims", "scalar-int64-input"))
            .In("k", E.Int64)
            .Out("y", E.Int64)
            .Init("one", Nd.Scalar(E.Int64, 1))
            .Op("Add", ["k", "one"], ["y"]);
        corpus.Add(new ModelSpec("dims", "any-rank-input"))
            .In("x", OnnxType.TensorOfAnyShape(E.Float))
            .Out("y", OnnxType.TensorOfAnyShape(E.Float))
            .Op("Relu", ["x"], ["y"])
            .Expecting("input_error naming the input (no shape declared to generate from), or ok at some shape");
        var anyData = Nd.Random(rng, E.Float, [2, 3]);
        corpus.Add(new ModelSpec("dims", "any-rank-input-data"))
            .In("x", OnnxType.TensorOfAnyShape(E.Float))
            .Out("y", OnnxType.TensorOfAnyShape(E.Float))
            .Op("Relu", ["x"], ["y"])
            .Feed("x", anyData)
            .Expect("y", anyData.Map(v => Math.Max(0, v)));
        corpus.Add(new ModelSpec("dims", "shared-symbol-two-inputs"))
            .In("a", E.Float, "N", "K").In("b", E.Float, "K", 4)
            .Out("y", E.Float, "N", 4)
            .Op("MatMul", ["a", "b"], ["y"])
            .Dim("K", 6)
            .Expecting("ok (K is the first dimension of b, so b's batch; Inputs:K must still size a and b alike)");
        corpus.Add(new ModelSpec("dims", "output-symbol-differs"))
            .In("x", E.Float, "N", 6)
            .Out("y", E.Float, "M", 3)
            .Init("shape", -1, 3)
            .Op("Reshape", ["x", "shape"], ["y"]);
        corpus.Add(new ModelSpec("dims", "batch-2-fixed"))
            .In("x", E.Float, 2, 8)
            .Out("y", E.Float, 2, 8)
            .Op("Softmax", ["x"], ["y"], A.Int("axis", 1));
    }
}
