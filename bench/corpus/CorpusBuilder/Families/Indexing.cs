using BenchDaemon.Workloads.Models.Graph;
using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Gather/Scatter with int64 and int32 indices, TopK, OneHot, NonZero, Range, ConstantOfShape, CumSum and friends.</summary>
internal static class Indexing
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(707);
        AddGathers(corpus, rng);
        AddScatters(corpus, rng);
        AddSelections(corpus, rng);
        AddGenerators(corpus, rng);
    }

    private static void AddGathers(Corpus corpus, Rng rng)
    {
        var table = Nd.Random(rng, E.Float, [10, 4]);
        var ids = Nd.Vector(E.Int64, 3, 0, 9, -1, 5);
        corpus.Add(new ModelSpec("gather", "embedding-int64-1d"))
            .In("indices", E.Int64, 5)
            .Out("y", E.Float, 5, 4)
            .Init("table", table)
            .Op("Gather", ["table", "indices"], ["y"])
            .Feed("indices", ids)
            .Expect("y", table.Gather(0, ids));
        corpus.Add(new ModelSpec("gather", "embedding-int64-1d-generated"))
            .In("indices", E.Int64, 5)
            .Out("y", E.Float, 5, 4)
            .Init("table", table)
            .Op("Gather", ["table", "indices"], ["y"])
            .Expecting("ok (generated indices below the table's 10 rows: an input hint)");
        corpus.Add(new ModelSpec("gather", "embedding-int32-batch"))
            .In("indices", E.Int32, "N", 3)
            .Out("y", E.Float, "N", 3, 4)
            .Init("table", table)
            .Op("Gather", ["table", "indices"], ["y"])
            .Expecting("ok (generated indices below the table's 10 rows: an input hint)");
        var ids32 = Nd.Of(E.Int32, [2, 3], 1, 2, 3, 9, 8, 0);
        corpus.Add(new ModelSpec("gather", "embedding-int32-data"))
            .In("indices", E.Int32, "N", 3)
            .Out("y", E.Float, "N", 3, 4)
            .Init("table", table)
            .Op("Gather", ["table", "indices"], ["y"])
            .Feed("indices", ids32)
            .Expect("y", table.Gather(0, ids32));
        var x = Nd.Random(rng, E.Float, [2, 6]);
        corpus.Add(new ModelSpec("gather", "scalar-index"))
            .In("x", E.Float, "N", 6)
            .Out("y", E.Float, "N")
            .Init("index", Nd.Scalar(E.Int64, 2))
            .Op("Gather", ["x", "index"], ["y"], A.Int("axis", 1))
            .Feed("x", x)
            .Expect("y", x.Gather(1, Nd.Scalar(E.Int64, 2)));
        corpus.Add(new ModelSpec("gather", "axis1-indices-input"))
            .In("x", E.Float, "N", 6).In("indices", E.Int64, 4)
            .Out("y", E.Float, "N", 4)
            .Op("Gather", ["x", "indices"], ["y"], A.Int("axis", 1))
            .Expecting("ok (generated indices below the axis' 6: an input hint)");
        corpus.Add(new ModelSpec("gather", "token-ids-symbolic-sequence"))
            .In("ids", E.Int64, "N", "S")
            .Out("y", E.Float, "N", "S", 8)
            .Init("table", Nd.Random(rng, E.Float, [100, 8]))
            .Op("Gather", ["table", "ids"], ["y"])
            .Dim("S", 6);
        corpus.Add(new ModelSpec("gather", "token-ids-no-sequence-given"))
            .In("ids", E.Int64, "N", "S")
            .Out("y", E.Float, "N", "S", 8)
            .Init("table", Nd.Random(rng, E.Float, [100, 8]))
            .Op("Gather", ["table", "ids"], ["y"])
            .Expecting("failed: input_error (dimension S is symbolic and Inputs:S is not set: the message must say so)");

        var ge = Nd.Random(rng, E.Float, [3, 4]);
        var gi = Nd.Of(E.Int64, [3, 2], 0, 3, 1, 1, -1, 2);
        corpus.Add(new ModelSpec("gather", "elements-int64"))
            .In("x", E.Float, 3, 4).In("indices", E.Int64, 3, 2)
            .Out("y", E.Float, 3, 2)
            .Op("GatherElements", ["x", "indices"], ["y"], A.Int("axis", 1))
            .Feed("x", ge).Feed("indices", gi)
            .Expect("y", ge.GatherElements(1, gi));
        corpus.Add(new ModelSpec("gather", "elements-int32-generated"))
            .In("x", E.Float, "N", 5).In("indices", E.Int32, "N", 5)
            .Out("y", E.Float, "N", 5)
            .Op("GatherElements", ["x", "indices"], ["y"], A.Int("axis", 1))
            .Expecting("ok (generated indices below the axis' 5: an input hint)");

        var nd = Nd.Random(rng, E.Float, [2, 3, 4]);
        corpus.Add(new ModelSpec("gather", "nd-int64"))
            .In("x", E.Float, 2, 3, 4).In("indices", E.Int64, 2, 2)
            .Out("y", E.Float, 2, 4)
            .Op("GatherND", ["x", "indices"], ["y"])
            .Feed("x", nd).Feed("indices", Nd.Of(E.Int64, [2, 2], 0, 1, 1, 2))
            .Expect("y", Nd.Concat(0, nd.Narrow(0, 0, 1).Narrow(1, 1, 2).Reshape(1, 4), nd.Narrow(0, 1, 2).Narrow(1, 2, 3).Reshape(1, 4)));
        corpus.Add(new ModelSpec("gather", "nd-batch-dims"))
            .In("x", E.Float, "N", 3, 4).In("indices", E.Int64, "N", 1)
            .Out("y", E.Float, "N", 4)
            .Op("GatherND", ["x", "indices"], ["y"], A.Int("batch_dims", 1))
            .Expecting("ok (generated indices below the axis' 3: an input hint)");
    }

    private static void AddScatters(Corpus corpus, Rng rng)
    {
        var data = Nd.Random(rng, E.Float, [3, 3]);
        var indices = Nd.Of(E.Int64, [2, 3], 1, 0, 2, 0, 2, 1);
        var updates = Nd.Random(rng, E.Float, [2, 3]);
        corpus.Add(new ModelSpec("scatter", "elements"))
            .In("data", E.Float, 3, 3).In("updates", E.Float, 2, 3)
            .Out("y", E.Float, 3, 3)
            .Init("indices", indices)
            .Op("ScatterElements", ["data", "indices", "updates"], ["y"], A.Int("axis", 0))
            .Feed("data", data).Feed("updates", updates)
            .Expect("y", data.ScatterElements(0, indices, updates));
        corpus.Add(new ModelSpec("scatter", "elements-reduction-add", 18))
            .In("data", E.Float, "N", 5).In("indices", E.Int64, "N", 2).In("updates", E.Float, "N", 2)
            .Out("y", E.Float, "N", 5)
            .Op("ScatterElements", ["data", "indices", "updates"], ["y"], A.Int("axis", 1), A.String("reduction", "add"))
            .Expecting("ok (generated indices below the axis' 5: an input hint)");
        var rows = Nd.Random(rng, E.Float, [4, 4]);
        var updateRows = Nd.Random(rng, E.Float, [2, 4]);
        var expected = Nd.Concat(0, rows.Narrow(0, 0, 1), updateRows.Narrow(0, 0, 1), rows.Narrow(0, 2, 3), updateRows.Narrow(0, 1, 2));
        corpus.Add(new ModelSpec("scatter", "nd"))
            .In("data", E.Float, 4, 4).In("updates", E.Float, 2, 4)
            .Out("y", E.Float, 4, 4)
            .Init("indices", Nd.Of(E.Int64, [2, 1], 1, 3))
            .Op("ScatterND", ["data", "indices", "updates"], ["y"])
            .Feed("data", rows).Feed("updates", updateRows)
            .Expect("y", expected);
        corpus.Add(new ModelSpec("scatter", "nd-indices-input"))
            .In("data", E.Float, 4, 4).In("indices", E.Int64, 2, 1).In("updates", E.Float, 2, 4)
            .Out("y", E.Float, 4, 4)
            .Op("ScatterND", ["data", "indices", "updates"], ["y"])
            .Expecting("ok (generated indices below the axis' 4: an input hint)");
    }

    private static void AddSelections(Corpus corpus, Rng rng)
    {
        var x = Nd.Random(rng, E.Float, [2, 8]);
        (Nd Values, Nd Indices) TopK(Nd v, int k, bool largest)
        {
            var values = new List<double>();
            var positions = new List<double>();
            for (var r = 0; r < v.Shape[0]; r++)
            {
                var order = Enumerable.Range(0, (int)v.Shape[1]).Select(j => (j, v[r, j]));
                order = largest ? order.OrderByDescending(p => p.Item2) : order.OrderBy(p => p.Item2);
                foreach (var (j, value) in order.Take(k))
                {
                    values.Add(value);
                    positions.Add(j);
                }
            }

            return (new Nd(E.Float, [v.Shape[0], k], [.. values]), new Nd(E.Int64, [v.Shape[0], k], [.. positions]));
        }

        var (top, topIndices) = TopK(x, 3, largest: true);
        corpus.Add(new ModelSpec("topk", "k-initializer"))
            .In("x", E.Float, "N", 8)
            .Out("values", E.Float, "N", 3).Out("indices", E.Int64, "N", 3)
            .Init("k", 3)
            .Op("TopK", ["x", "k"], ["values", "indices"])
            .Feed("x", x)
            .Expect("values", top).Expect("indices", topIndices);
        var (low, lowIndices) = TopK(x, 2, largest: false);
        corpus.Add(new ModelSpec("topk", "smallest"))
            .In("x", E.Float, "N", 8)
            .Out("values", E.Float, "N", 2).Out("indices", E.Int64, "N", 2)
            .Init("k", 2)
            .Op("TopK", ["x", "k"], ["values", "indices"], A.Int("largest", 0))
            .Feed("x", x)
            .Expect("values", low).Expect("indices", lowIndices);
        corpus.Add(new ModelSpec("topk", "k-graph-input"))
            .In("x", E.Float, "N", 8).In("k", E.Int64, 1)
            .Out("values", OnnxType.TensorOfAnyShape(E.Float)).Out("indices", OnnxType.TensorOfAnyShape(E.Int64))
            .Op("TopK", ["x", "k"], ["values", "indices"])
            .Expecting("ok (generated k: an input hint gives 1)");
        corpus.Add(new ModelSpec("topk", "int64-values"))
            .In("x", E.Int64, "N", 8)
            .Out("values", E.Int64, "N", 4).Out("indices", E.Int64, "N", 4)
            .Init("k", 4)
            .Op("TopK", ["x", "k"], ["values", "indices"]);

        var hot = Nd.Vector(E.Int64, 0, 3, -1, 2);
        corpus.Add(new ModelSpec("onehot", "int64-indices"))
            .In("indices", E.Int64, 4)
            .Out("y", E.Float, 4, 5)
            .Init("depth", Nd.Scalar(E.Int64, 5))
            .Init("values", Nd.Vector(E.Float, 0, 1))
            .Op("OneHot", ["indices", "depth", "values"], ["y"])
            .Feed("indices", hot)
            .Expect("y", Nd.Zip(v => (v[0] < 0 ? v[0] + 5 : v[0]) == v[1] ? 1 : 0, E.Float, hot.Reshape(4, 1), Nd.Vector(E.Int64, 0, 1, 2, 3, 4)));
        corpus.Add(new ModelSpec("onehot", "int32-axis0-generated"))
            .In("indices", E.Int32, "N")
            .Out("y", E.Float, 6, "N")
            .Init("depth", Nd.Scalar(E.Int32, 6))
            .Init("values", Nd.Vector(E.Float, -1, 7))
            .Op("OneHot", ["indices", "depth", "values"], ["y"], A.Int("axis", 0));

        var nz = Nd.Of(E.Float, [3, 4], 0, 1, 0, 2, 0, 0, 0, 0, 3, 0, 4, 0);
        corpus.Add(new ModelSpec("nonzero", "float"))
            .In("x", E.Float, 3, 4)
            .Out("y", E.Int64, 2, "nz")
            .Op("NonZero", ["x"], ["y"])
            .Feed("x", nz)
            .Expect("y", Nd.Of(E.Int64, [2, 4], 0, 0, 2, 2, 1, 3, 0, 2));
        corpus.Add(new ModelSpec("nonzero", "bool-generated"))
            .In("x", E.Bool, "N", 4)
            .Out("y", E.Int64, 2, "nz")
            .Op("NonZero", ["x"], ["y"]);

        var cx = Nd.Random(rng, E.Float, [2, 5]);
        corpus.Add(new ModelSpec("cumsum", "axis-initializer"))
            .In("x", E.Float, "N", 5)
            .Out("y", E.Float, "N", 5)
            .Init("axis", Nd.Scalar(E.Int64, 1))
            .Op("CumSum", ["x", "axis"], ["y"])
            .Feed("x", cx)
            .Expect("y", cx.CumSum(1));
        corpus.Add(new ModelSpec("cumsum", "axis-input-data"))
            .In("x", E.Float, "N", 5).In("axis", E.Int64)
            .Out("y", E.Float, "N", 5)
            .Op("CumSum", ["x", "axis"], ["y"])
            .Feed("x", cx).Feed("axis", Nd.Scalar(E.Int64, 0))
            .Expect("y", cx.CumSum(0));
        corpus.Add(new ModelSpec("cumsum", "axis-input-generated"))
            .In("x", E.Float, "N", 5).In("axis", E.Int32)
            .Out("y", E.Float, "N", 5)
            .Op("CumSum", ["x", "axis"], ["y"])
            .Expecting("ok if the generated axis lies within the rank (an input hint); else runtime_error");
        corpus.Add(new ModelSpec("cumsum", "exclusive-reverse-int64"))
            .In("x", E.Int64, "N", 6)
            .Out("y", E.Int64, "N", 6)
            .Init("axis", Nd.Scalar(E.Int32, -1))
            .Op("CumSum", ["x", "axis"], ["y"], A.Int("exclusive", 1), A.Int("reverse", 1));

        var tri = Nd.Random(rng, E.Float, [4, 4]);
        corpus.Add(new ModelSpec("trilu", "upper"))
            .In("x", E.Float, 4, 4)
            .Out("y", E.Float, 4, 4)
            .Op("Trilu", ["x"], ["y"])
            .Feed("x", tri)
            .Expect("y", Nd.Zip(v => v[2] >= v[1] ? v[0] : 0, E.Float, tri, Nd.Of(E.Int64, [4, 1], 0, 1, 2, 3), Nd.Vector(E.Int64, 0, 1, 2, 3)));
        corpus.Add(new ModelSpec("trilu", "lower-k-input"))
            .In("x", E.Float, "N", 4, 4).In("k", E.Int64)
            .Out("y", E.Float, "N", 4, 4)
            .Op("Trilu", ["x", "k"], ["y"], A.Int("upper", 0));
        corpus.Add(new ModelSpec("eyelike", "float"))
            .In("x", E.Float, 3, 4)
            .Out("y", E.Float, 3, 4)
            .Op("EyeLike", ["x"], ["y"], A.Int("k", 1))
            .Feed("x", Nd.Random(rng, E.Float, [3, 4]))
            .Expect("y", Nd.Zip(v => v[1] == v[0] + 1 ? 1 : 0, E.Float, Nd.Of(E.Int64, [3, 1], 0, 1, 2), Nd.Vector(E.Int64, 0, 1, 2, 3)));
        corpus.Add(new ModelSpec("compress", "bool-condition"))
            .In("x", E.Float, "N", 5).In("condition", E.Bool, 5)
            .Out("y", E.Float, "N", "kept")
            .Op("Compress", ["x", "condition"], ["y"], A.Int("axis", 1));
        corpus.Add(new ModelSpec("unique", "int64"))
            .In("x", E.Int64, 8)
            .Out("y", E.Int64, "u").Out("indices", E.Int64, "u").Out("inverse", E.Int64, 8).Out("counts", E.Int64, "u")
            .Op("Unique", ["x"], ["y", "indices", "inverse", "counts"])
            .Feed("x", Nd.Vector(E.Int64, 2, 1, 1, 3, 4, 3, 2, 2))
            .Expect("y", Nd.Vector(E.Int64, 1, 2, 3, 4))
            .Expect("indices", Nd.Vector(E.Int64, 1, 0, 3, 4))
            .Expect("inverse", Nd.Vector(E.Int64, 1, 0, 0, 2, 3, 2, 1, 1))
            .Expect("counts", Nd.Vector(E.Int64, 2, 3, 2, 1));
    }

    private static void AddGenerators(Corpus corpus, Rng rng)
    {
        corpus.Add(new ModelSpec("range", "float-scalar-inputs"))
            .In("start", E.Float).In("limit", E.Float).In("delta", E.Float)
            .Out("y", E.Float, "n")
            .Op("Range", ["start", "limit", "delta"], ["y"])
            .Feed("start", Nd.Scalar(E.Float, 0)).Feed("limit", Nd.Scalar(E.Float, 5)).Feed("delta", Nd.Scalar(E.Float, 0.5))
            .Expect("y", Nd.Vector(E.Float, [.. Enumerable.Range(0, 10).Select(i => i * 0.5)]));
        corpus.Add(new ModelSpec("range", "int32-descending"))
            .In("start", E.Int32).In("limit", E.Int32).In("delta", E.Int32)
            .Out("y", E.Int32, "n")
            .Op("Range", ["start", "limit", "delta"], ["y"])
            .Feed("start", Nd.Scalar(E.Int32, 10)).Feed("limit", Nd.Scalar(E.Int32, 0)).Feed("delta", Nd.Scalar(E.Int32, -3))
            .Expect("y", Nd.Vector(E.Int32, 10, 7, 4, 1));
        corpus.Add(new ModelSpec("range", "int64-generated"))
            .In("start", E.Int64).In("limit", E.Int64).In("delta", E.Int64)
            .Out("y", E.Int64, "n")
            .Op("Range", ["start", "limit", "delta"], ["y"])
            .Expecting("ok if the generated delta is not zero (an input hint); else runtime_error");
        corpus.Add(new ModelSpec("range", "from-shape"))
            .In("x", E.Float, "N", 7)
            .Out("y", E.Int64, "n")
            .Init("zero", Nd.Scalar(E.Int64, 0)).Init("one", Nd.Scalar(E.Int64, 1)).Init("last", Nd.Scalar(E.Int64, 1))
            .Op("Shape", ["x"], ["s"])
            .Op("Gather", ["s", "last"], ["width"])
            .Op("Range", ["zero", "width", "one"], ["y"])
            .Feed("x", Nd.Random(rng, E.Float, [2, 7]))
            .Expect("y", Nd.Vector(E.Int64, 0, 1, 2, 3, 4, 5, 6));

        corpus.Add(new ModelSpec("constantofshape", "no-graph-inputs"))
            .Out("y", E.Float, 2, 3)
            .Init("shape", 2, 3)
            .Op("ConstantOfShape", ["shape"], ["y"], A.Tensor("value", [1], [0.5f]))
            .Expecting("ok (a model without inputs: nothing to generate)");
        corpus.Add(new ModelSpec("constantofshape", "shape-input-data"))
            .In("shape", E.Int64, 2)
            .Out("y", OnnxType.TensorOfAnyShape(E.Int64))
            .Op("ConstantOfShape", ["shape"], ["y"], A.Tensor("value", [1], [7L]))
            .Feed("shape", Nd.Vector(E.Int64, 3, 4))
            .Expect("y", Nd.Filled(E.Int64, [3, 4], 7));
        corpus.Add(new ModelSpec("constantofshape", "shape-input-generated"))
            .In("shape", E.Int64, 2)
            .Out("y", OnnxType.TensorOfAnyShape(E.Float))
            .Op("ConstantOfShape", ["shape"], ["y"])
            .Expecting("ok if the generated dims are small (an input hint); dims drawn up to the vocabulary ask for gigabytes (out_of_memory)");

        corpus.Add(new ModelSpec("random", "normal-like"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("RandomNormalLike", ["x"], ["noise"], A.Float("seed", 1))
            .Op("Add", ["x", "noise"], ["y"]);
        corpus.Add(new ModelSpec("random", "uniform-fixed-shape"))
            .In("x", E.Float, 2, 3)
            .Out("y", E.Float, 2, 3)
            .Op("RandomUniform", [], ["noise"], A.Ints("shape", 2, 3), A.Float("seed", 2))
            .Op("Mul", ["x", "noise"], ["y"]);
        corpus.Add(new ModelSpec("random", "bernoulli", 15))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("Sigmoid", ["x"], ["p"])
            .Op("Bernoulli", ["p"], ["y"], A.Float("seed", 3));
    }
}
