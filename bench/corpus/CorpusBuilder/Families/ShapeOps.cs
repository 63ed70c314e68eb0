using BenchDaemon.Workloads.Models.Graph;
using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Shape operators: shape values as initializers and as graph inputs (the generator must make them valid).</summary>
internal static class ShapeOps
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(606);
        var anyFloat = OnnxType.TensorOfAnyShape(E.Float);
        AddReshapes(corpus, rng, anyFloat);
        AddJoins(corpus, rng);
        AddSlices(corpus, rng, anyFloat);
        AddPadsAndResizes(corpus, rng, anyFloat);
    }

    private static void AddReshapes(Corpus corpus, Rng rng, OnnxType anyFloat)
    {
        var x = Nd.Random(rng, E.Float, [2, 12]);
        corpus.Add(new ModelSpec("shape", "reshape-initializer"))
            .In("x", E.Float, "N", 12)
            .Out("y", E.Float, "N", 3, 4)
            .Init("shape", -1, 3, 4)
            .Op("Reshape", ["x", "shape"], ["y"])
            .Feed("x", x)
            .Expect("y", x.Reshape(2, 3, 4));
        corpus.Add(new ModelSpec("shape", "reshape-shape-input"))
            .In("x", E.Float, "N", 12).In("shape", E.Int64, 3)
            .Out("y", anyFloat)
            .Op("Reshape", ["x", "shape"], ["y"])
            .Expecting("ok if the generated target keeps the element count (an input hint); else runtime_error");
        corpus.Add(new ModelSpec("shape", "reshape-shape-input-data"))
            .In("x", E.Float, "N", 12).In("shape", E.Int64, 3)
            .Out("y", anyFloat)
            .Op("Reshape", ["x", "shape"], ["y"])
            .Feed("x", x).Feed("shape", Nd.Vector(E.Int64, 2, 4, 3))
            .Expect("y", x.Reshape(2, 4, 3));
        corpus.Add(new ModelSpec("shape", "reshape-zero-copies-dim", 14))
            .In("x", E.Float, "N", 12)
            .Out("y", E.Float, "N", 4, 3)
            .Init("shape", 0, 4, 3)
            .Op("Reshape", ["x", "shape"], ["y"], A.Int("allowzero", 0))
            .Feed("x", x)
            .Expect("y", x.Reshape(2, 4, 3));

        // The exporter's pattern: the target shape computed from the input's own shape.
        var t = Nd.Random(rng, E.Float, [2, 3, 4]);
        corpus.Add(new ModelSpec("shape", "reshape-computed-shape"))
            .In("x", E.Float, "N", 3, 4)
            .Out("y", E.Float, "N", 12)
            .Init("zero", Nd.Scalar(E.Int64, 0))
            .Init("axes0", 0)
            .Init("rest", 12)
            .Op("Shape", ["x"], ["s"])
            .Op("Gather", ["s", "zero"], ["n"], A.Int("axis", 0))
            .Op("Unsqueeze", ["n", "axes0"], ["n1"])
            .Op("Concat", ["n1", "rest"], ["target"], A.Int("axis", 0))
            .Op("Reshape", ["x", "target"], ["y"])
            .Feed("x", t)
            .Expect("y", t.Reshape(2, 12));

        corpus.Add(new ModelSpec("shape", "transpose-perm"))
            .In("x", E.Float, "N", 3, 4)
            .Out("y", E.Float, "N", 4, 3)
            .Op("Transpose", ["x"], ["y"], A.Ints("perm", 0, 2, 1))
            .Feed("x", t)
            .Expect("y", t.Transpose(0, 2, 1));
        var r4 = Nd.Random(rng, E.Float, [2, 3, 4, 5]);
        corpus.Add(new ModelSpec("shape", "transpose-default-reverse"))
            .In("x", E.Float, 2, 3, 4, 5)
            .Out("y", E.Float, 5, 4, 3, 2)
            .Op("Transpose", ["x"], ["y"])
            .Feed("x", r4)
            .Expect("y", r4.Transpose());
        var i3 = Nd.Random(rng, E.Int64, [2, 3, 4], -50, 50);
        corpus.Add(new ModelSpec("shape", "transpose-int64"))
            .In("x", E.Int64, "N", 3, 4)
            .Out("y", E.Int64, 4, "N", 3)
            .Op("Transpose", ["x"], ["y"], A.Ints("perm", 2, 0, 1))
            .Feed("x", i3)
            .Expect("y", i3.Transpose(2, 0, 1));

        corpus.Add(new ModelSpec("shape", "flatten-axis1"))
            .In("x", E.Float, "N", 3, 4)
            .Out("y", E.Float, "N", 12)
            .Op("Flatten", ["x"], ["y"])
            .Feed("x", t)
            .Expect("y", t.Reshape(2, 12));
        corpus.Add(new ModelSpec("shape", "flatten-axis0"))
            .In("x", E.Float, 2, 3, 4)
            .Out("y", E.Float, 1, 24)
            .Op("Flatten", ["x"], ["y"], A.Int("axis", 0))
            .Feed("x", t)
            .Expect("y", t.Reshape(1, 24));
        corpus.Add(new ModelSpec("shape", "flatten-axis2"))
            .In("x", E.Float, "N", 3, 4, 2)
            .Out("y", E.Float, "M", 8)
            .Op("Flatten", ["x"], ["y"], A.Int("axis", 2));

        var sq = Nd.Random(rng, E.Float, [2, 1, 4, 1]);
        corpus.Add(new ModelSpec("shape", "squeeze-axes"))
            .In("x", E.Float, "N", 1, 4, 1)
            .Out("y", E.Float, "N", 4)
            .Init("axes", 1, 3)
            .Op("Squeeze", ["x", "axes"], ["y"])
            .Feed("x", sq)
            .Expect("y", sq.Reshape(2, 4));
        var one = Nd.Random(rng, E.Float, [1, 3, 1]);
        corpus.Add(new ModelSpec("shape", "squeeze-all-ones"))
            .In("x", E.Float, 1, 3, 1)
            .Out("y", E.Float, 3)
            .Op("Squeeze", ["x"], ["y"])
            .Feed("x", one)
            .Expect("y", one.Reshape(3));
        var u = Nd.Random(rng, E.Float, [2, 4]);
        corpus.Add(new ModelSpec("shape", "unsqueeze-axes"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 1, 4, 1)
            .Init("axes", 1, 3)
            .Op("Unsqueeze", ["x", "axes"], ["y"])
            .Feed("x", u)
            .Expect("y", u.Reshape(2, 1, 4, 1));
        corpus.Add(new ModelSpec("shape", "unsqueeze-scalar"))
            .In("x", E.Float)
            .Out("y", E.Float, 1)
            .Init("axes", 0)
            .Op("Unsqueeze", ["x", "axes"], ["y"])
            .Feed("x", Nd.Scalar(E.Float, 3.5))
            .Expect("y", Nd.Vector(E.Float, 3.5));

        corpus.Add(new ModelSpec("shape", "shape-of"))
            .In("x", E.Float, "N", 3, 4)
            .Out("s", E.Int64, 3)
            .Op("Shape", ["x"], ["s"])
            .Feed("x", t)
            .Expect("s", Nd.Vector(E.Int64, 2, 3, 4));
        corpus.Add(new ModelSpec("shape", "shape-start-end", 15))
            .In("x", E.Float, "N", 3, 4)
            .Out("s", E.Int64, 2)
            .Op("Shape", ["x"], ["s"], A.Int("start", 1))
            .Feed("x", t)
            .Expect("s", Nd.Vector(E.Int64, 3, 4));
        corpus.Add(new ModelSpec("shape", "size-of"))
            .In("x", E.Float, "N", 3, 4)
            .Out("s", E.Int64)
            .Op("Size", ["x"], ["s"])
            .Feed("x", t)
            .Expect("s", Nd.Scalar(E.Int64, 24));
        corpus.Add(new ModelSpec("shape", "identity"))
            .In("x", E.Float, "N", 3, 4)
            .Out("y", E.Float, "N", 3, 4)
            .Op("Identity", ["x"], ["y"])
            .Feed("x", t)
            .Expect("y", t);
        corpus.Add(new ModelSpec("shape", "depthtospace"))
            .In("x", E.Float, "N", 8, 2, 2)
            .Out("y", E.Float, "N", 2, 4, 4)
            .Op("DepthToSpace", ["x"], ["y"], A.Int("blocksize", 2));
        corpus.Add(new ModelSpec("shape", "depthtospace-crd"))
            .In("x", E.Float, "N", 8, 2, 2)
            .Out("y", E.Float, "N", 2, 4, 4)
            .Op("DepthToSpace", ["x"], ["y"], A.Int("blocksize", 2), A.String("mode", "CRD"));
        corpus.Add(new ModelSpec("shape", "spacetodepth"))
            .In("x", E.Float, "N", 2, 4, 4)
            .Out("y", E.Float, "N", 8, 2, 2)
            .Op("SpaceToDepth", ["x"], ["y"], A.Int("blocksize", 2));
    }

    private static void AddJoins(Corpus corpus, Rng rng)
    {
        var a = Nd.Random(rng, E.Float, [2, 2]);
        var b = Nd.Random(rng, E.Float, [2, 3]);
        var c = Nd.Random(rng, E.Float, [2, 4]);
        corpus.Add(new ModelSpec("shape", "concat-three-inputs"))
            .In("a", E.Float, "N", 2).In("b", E.Float, "N", 3).In("c", E.Float, "N", 4)
            .Out("y", E.Float, "N", 9)
            .Op("Concat", ["a", "b", "c"], ["y"], A.Int("axis", 1))
            .Feed("a", a).Feed("b", b).Feed("c", c)
            .Expect("y", Nd.Concat(1, a, b, c));
        var p = Nd.Random(rng, E.Float, [2, 3]);
        var q = Nd.Random(rng, E.Float, [1, 3]);
        corpus.Add(new ModelSpec("shape", "concat-axis0-fixed"))
            .In("p", E.Float, 2, 3).In("q", E.Float, 1, 3)
            .Out("y", E.Float, 3, 3)
            .Op("Concat", ["p", "q"], ["y"], A.Int("axis", 0))
            .Feed("p", p).Feed("q", q)
            .Expect("y", Nd.Concat(0, p, q));
        var ix = Nd.Random(rng, E.Int64, [2, 2], 0, 9);
        var row = Nd.Of(E.Int64, [1, 2], -1, -2);
        corpus.Add(new ModelSpec("shape", "concat-int64-initializer"))
            .In("x", E.Int64, "N", 2)
            .Out("y", E.Int64, "rows", 2)
            .Init("row", row)
            .Op("Concat", ["x", "row"], ["y"], A.Int("axis", 0))
            .Feed("x", ix)
            .Expect("y", Nd.Concat(0, ix, row));

        var s = Nd.Random(rng, E.Float, [2, 5]);
        corpus.Add(new ModelSpec("shape", "split-sizes-input"))
            .In("x", E.Float, "N", 5)
            .Out("y0", E.Float, "N", 2).Out("y1", E.Float, "N", 3)
            .Init("split", 2, 3)
            .Op("Split", ["x", "split"], ["y0", "y1"], A.Int("axis", 1))
            .Feed("x", s)
            .Expect("y0", s.Narrow(1, 0, 2)).Expect("y1", s.Narrow(1, 2, 5));
        var s6 = Nd.Random(rng, E.Float, [2, 6]);
        corpus.Add(new ModelSpec("shape", "split-num-outputs", 18))
            .In("x", E.Float, "N", 6)
            .Out("y0", E.Float, "N", 2).Out("y1", E.Float, "N", 2).Out("y2", E.Float, "N", 2)
            .Op("Split", ["x"], ["y0", "y1", "y2"], A.Int("axis", 1), A.Int("num_outputs", 3))
            .Feed("x", s6)
            .Expect("y0", s6.Narrow(1, 0, 2)).Expect("y1", s6.Narrow(1, 2, 4)).Expect("y2", s6.Narrow(1, 4, 6));
        corpus.Add(new ModelSpec("shape", "split-equal"))
            .In("x", E.Float, "N", 6)
            .Out("y0", E.Float, "N", 3).Out("y1", E.Float, "N", 3)
            .Op("Split", ["x"], ["y0", "y1"], A.Int("axis", 1))
            .Feed("x", s6)
            .Expect("y0", s6.Narrow(1, 0, 3)).Expect("y1", s6.Narrow(1, 3, 6));
        corpus.Add(new ModelSpec("shape", "split-uneven", 18))
            .In("x", E.Float, "N", 7)
            .Out("y0", E.Float, "N", 3).Out("y1", E.Float, "N", 3).Out("y2", E.Float, "N", 1)
            .Op("Split", ["x"], ["y0", "y1", "y2"], A.Int("axis", 1), A.Int("num_outputs", 3));

        var e = Nd.Random(rng, E.Float, [3, 1]);
        corpus.Add(new ModelSpec("shape", "expand-initializer"))
            .In("x", E.Float, 3, 1)
            .Out("y", E.Float, 2, 3, 4)
            .Init("shape", 2, 1, 4)
            .Op("Expand", ["x", "shape"], ["y"])
            .Feed("x", e)
            .Expect("y", e.Expand(2, 3, 4));
        corpus.Add(new ModelSpec("shape", "expand-shape-input"))
            .In("x", E.Float, "N", 1).In("shape", E.Int64, 2)
            .Out("y", OnnxType.TensorOfAnyShape(E.Float))
            .Op("Expand", ["x", "shape"], ["y"])
            .Expecting("ok if the generated shape broadcasts with the input (an input hint); else runtime_error");
        var tile = Nd.Random(rng, E.Float, [2, 3]);
        corpus.Add(new ModelSpec("shape", "tile-initializer"))
            .In("x", E.Float, 2, 3)
            .Out("y", E.Float, 4, 9)
            .Init("repeats", 2, 3)
            .Op("Tile", ["x", "repeats"], ["y"])
            .Feed("x", tile)
            .Expect("y", tile.Tile(2, 3));
        corpus.Add(new ModelSpec("shape", "tile-repeats-input"))
            .In("x", E.Float, "N", 3).In("repeats", E.Int64, 2)
            .Out("y", OnnxType.TensorOfAnyShape(E.Float))
            .Op("Tile", ["x", "repeats"], ["y"])
            .Expecting("ok if the generated repeats are small (an input hint); repeats drawn up to the vocabulary make a huge tensor");
    }

    private static void AddSlices(Corpus corpus, Rng rng, OnnxType anyFloat)
    {
        var x = Nd.Random(rng, E.Float, [2, 10]);
        corpus.Add(new ModelSpec("slice", "initializers-step2"))
            .In("x", E.Float, "N", 10)
            .Out("y", E.Float, "N", 3)
            .Init("starts", 2).Init("ends", 8).Init("axes", 1).Init("steps", 2)
            .Op("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"])
            .Feed("x", x)
            .Expect("y", x.Slice([2], [8], [1], [2]));
        var m = Nd.Random(rng, E.Float, [4, 6]);
        corpus.Add(new ModelSpec("slice", "negative-step"))
            .In("x", E.Float, 4, 6)
            .Out("y", E.Float, 4, 6)
            .Init("starts", -1).Init("ends", -100).Init("axes", 1).Init("steps", -1)
            .Op("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"])
            .Feed("x", m)
            .Expect("y", m.Slice([-1], [-100], [1], [-1]));
        corpus.Add(new ModelSpec("slice", "two-axes"))
            .In("x", E.Float, 4, 6)
            .Out("y", E.Float, 2, 2)
            .Init("starts", 0, 1).Init("ends", 2, 3)
            .Op("Slice", ["x", "starts", "ends"], ["y"])
            .Feed("x", m)
            .Expect("y", m.Slice([0, 1], [2, 3], [0, 1], [1, 1]));
        corpus.Add(new ModelSpec("slice", "starts-ends-inputs"))
            .In("x", E.Float, "N", 10).In("starts", E.Int64, 1).In("ends", E.Int64, 1)
            .Out("y", anyFloat)
            .Init("axes", 1)
            .Op("Slice", ["x", "starts", "ends", "axes"], ["y"])
            .Expecting("ok (generated starts and ends: an input hint gives 0 and past the end)");
        corpus.Add(new ModelSpec("slice", "starts-ends-inputs-data"))
            .In("x", E.Float, "N", 10).In("starts", E.Int64, 1).In("ends", E.Int64, 1)
            .Out("y", anyFloat)
            .Init("axes", 1)
            .Op("Slice", ["x", "starts", "ends", "axes"], ["y"])
            .Feed("x", x).Feed("starts", Nd.Vector(E.Int64, 1)).Feed("ends", Nd.Vector(E.Int64, 4))
            .Expect("y", x.Slice([1], [4], [1], [1]));
        corpus.Add(new ModelSpec("slice", "int32-indices"))
            .In("x", E.Float, "N", 10)
            .Out("y", E.Float, "N", 5)
            .Init("starts", Nd.Vector(E.Int32, 5)).Init("ends", Nd.Vector(E.Int32, 10)).Init("axes", Nd.Vector(E.Int32, 1))
            .Op("Slice", ["x", "starts", "ends", "axes"], ["y"])
            .Feed("x", x)
            .Expect("y", x.Slice([5], [10], [1], [1]));
    }

    private static void AddPadsAndResizes(Corpus corpus, Rng rng, OnnxType anyFloat)
    {
        var p = Nd.Random(rng, E.Float, [2, 3]);
        corpus.Add(new ModelSpec("pad", "constant"))
            .In("x", E.Float, 2, 3)
            .Out("y", E.Float, 3, 6)
            .Init("pads", 0, 1, 1, 2)
            .Init("value", Nd.Scalar(E.Float, 0.5))
            .Op("Pad", ["x", "pads", "value"], ["y"])
            .Feed("x", p)
            .Expect("y", p.Pad([0, 1, 1, 2], 0.5));
        corpus.Add(new ModelSpec("pad", "reflect"))
            .In("x", E.Float, "N", 4, 4)
            .Out("y", E.Float, "N", 6, 6)
            .Init("pads", 0, 1, 1, 0, 1, 1)
            .Op("Pad", ["x", "pads"], ["y"], A.String("mode", "reflect"));
        corpus.Add(new ModelSpec("pad", "edge"))
            .In("x", E.Float, "N", 4, 4)
            .Out("y", E.Float, "N", 5, 8)
            .Init("pads", 0, 0, 1, 0, 1, 3)
            .Op("Pad", ["x", "pads"], ["y"], A.String("mode", "edge"));
        corpus.Add(new ModelSpec("pad", "wrap", 19))
            .In("x", E.Float, "N", 4, 4)
            .Out("y", E.Float, "N", 6, 6)
            .Init("pads", 0, 1, 1, 0, 1, 1)
            .Op("Pad", ["x", "pads"], ["y"], A.String("mode", "wrap"));
        corpus.Add(new ModelSpec("pad", "axes-input", 18))
            .In("x", E.Float, "N", 4, 4)
            .Out("y", E.Float, "N", 4, 8)
            .Init("pads", 2, 2)
            .Init("value", Nd.Scalar(E.Float, 0))
            .Init("axes", -1)
            .Op("Pad", ["x", "pads", "value", "axes"], ["y"]);
        corpus.Add(new ModelSpec("pad", "pads-graph-input"))
            .In("x", E.Float, "N", 4).In("pads", E.Int64, 4)
            .Out("y", anyFloat)
            .Op("Pad", ["x", "pads"], ["y"])
            .Expecting("ok if the generated pads are small (an input hint); pads drawn up to the vocabulary make a huge tensor");
        var pi = Nd.Random(rng, E.Int32, [2, 2], -9, 9);
        corpus.Add(new ModelSpec("pad", "constant-int32"))
            .In("x", E.Int32, 2, 2)
            .Out("y", E.Int32, 4, 4)
            .Init("pads", 1, 1, 1, 1)
            .Op("Pad", ["x", "pads"], ["y"])
            .Feed("x", pi)
            .Expect("y", pi.Pad([1, 1, 1, 1], 0));

        // Resize: nearest upsampling by 2 repeats every element twice along H and W.
        var r = Nd.Random(rng, E.Float, [1, 2, 3, 3]);
        var up = r.Gather(2, Nd.Vector(E.Int64, 0, 0, 1, 1, 2, 2)).Gather(3, Nd.Vector(E.Int64, 0, 0, 1, 1, 2, 2));
        corpus.Add(new ModelSpec("resize", "scales-nearest"))
            .In("x", E.Float, "N", 2, 3, 3)
            .Out("y", E.Float, "N", 2, 6, 6)
            .Init("scales", Nd.Vector(E.Float, 1, 1, 2, 2))
            .Op("Resize", ["x", string.Empty, "scales"], ["y"], A.String("mode", "nearest"))
            .Feed("x", r)
            .Expect("y", up);
        corpus.Add(new ModelSpec("resize", "sizes-linear"))
            .In("x", E.Float, 1, 2, 4, 4)
            .Out("y", E.Float, 1, 2, 6, 6)
            .Init("sizes", 1, 2, 6, 6)
            .Op("Resize", ["x", string.Empty, string.Empty, "sizes"], ["y"], A.String("mode", "linear"));
        corpus.Add(new ModelSpec("resize", "scales-linear-align-corners"))
            .In("x", E.Float, "N", 2, 4, 4)
            .Out("y", E.Float, "N", 2, 8, 8)
            .Init("scales", Nd.Vector(E.Float, 1, 1, 2, 2))
            .Op("Resize", ["x", string.Empty, "scales"], ["y"], A.String("mode", "linear"), A.String("coordinate_transformation_mode", "align_corners"));
        corpus.Add(new ModelSpec("resize", "cubic-downscale"))
            .In("x", E.Float, 1, 1, 8, 8)
            .Out("y", E.Float, 1, 1, 4, 4)
            .Init("scales", Nd.Vector(E.Float, 1, 1, 0.5, 0.5))
            .Op("Resize", ["x", string.Empty, "scales"], ["y"], A.String("mode", "cubic"));
        corpus.Add(new ModelSpec("resize", "scales-graph-input"))
            .In("x", E.Float, "N", 2, 4, 4).In("scales", E.Float, 4)
            .Out("y", anyFloat)
            .Op("Resize", ["x", string.Empty, "scales"], ["y"])
            .Expecting("ok (generated scales: an input hint gives 1)");
        corpus.Add(new ModelSpec("resize", "sizes-graph-input"))
            .In("x", E.Float, "N", 2, 4, 4).In("sizes", E.Int64, 4)
            .Out("y", anyFloat)
            .Op("Resize", ["x", string.Empty, string.Empty, "sizes"], ["y"])
            .Expecting("ok (generated sizes: an input hint gives the input's own)");
        corpus.Add(new ModelSpec("resize", "axes-attribute", 18))
            .In("x", E.Float, "N", 2, 4, 4)
            .Out("y", E.Float, "N", 2, 8, 8)
            .Init("scales", Nd.Vector(E.Float, 2, 2))
            .Op("Resize", ["x", string.Empty, "scales"], ["y"], A.Ints("axes", 2, 3), A.String("mode", "nearest"));
        corpus.Add(new ModelSpec("resize", "scales-data-input"))
            .In("x", E.Float, "N", 2, 3, 3).In("scales", E.Float, 4)
            .Out("y", anyFloat)
            .Op("Resize", ["x", string.Empty, "scales"], ["y"], A.String("mode", "nearest"))
            .Feed("x", r).Feed("scales", Nd.Vector(E.Float, 1, 1, 2, 2))
            .Expect("y", up);
    }
}
