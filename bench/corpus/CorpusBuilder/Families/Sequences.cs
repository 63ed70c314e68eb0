using BenchDaemon.Workloads.Models.Graph;
using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Sequence operators, sequence graph inputs and outputs.</summary>
internal static class Sequences
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(1010);
        var a = Nd.Random(rng, E.Float, [2, 4]);
        var b = Nd.Random(rng, E.Float, [2, 4]);
        var c = Nd.Random(rng, E.Float, [2, 4]);
        var seqOfRows = OnnxType.Sequence(OnnxType.Tensor(E.Float, "N", 4));

        ModelSpec Three(string name, long opset = 17) => corpus.Add(new ModelSpec("seq", name, opset))
            .In("a", E.Float, "N", 4).In("b", E.Float, "N", 4).In("c", E.Float, "N", 4)
            .Op("SequenceConstruct", ["a", "b", "c"], ["s"])
            .Feed("a", a).Feed("b", b).Feed("c", c);

        Three("construct-at")
            .Out("y", E.Float, "N", 4)
            .Init("position", Nd.Scalar(E.Int64, 1))
            .Op("SequenceAt", ["s", "position"], ["y"])
            .Expect("y", b);
        Three("at-negative-position")
            .Out("y", E.Float, "N", 4)
            .Init("position", Nd.Scalar(E.Int32, -1))
            .Op("SequenceAt", ["s", "position"], ["y"])
            .Expect("y", c);
        Three("concat-from-sequence")
            .Out("y", E.Float, "N", 12)
            .Op("ConcatFromSequence", ["s"], ["y"], A.Int("axis", 1))
            .Expect("y", Nd.Concat(1, a, b, c));
        Three("stack-new-axis")
            .Out("y", E.Float, 3, "N", 4)
            .Op("ConcatFromSequence", ["s"], ["y"], A.Int("axis", 0), A.Int("new_axis", 1))
            .Expect("y", Nd.Concat(0, a.Reshape(1, 2, 4), b.Reshape(1, 2, 4), c.Reshape(1, 2, 4)));
        Three("erase")
            .Out("y", seqOfRows)
            .Init("position", Nd.Scalar(E.Int64, 1))
            .Op("SequenceErase", ["s", "position"], ["y"])
            .Expect(TestValue.Sequence("y", a, c));
        Three("length")
            .Out("n", E.Int64)
            .Op("SequenceLength", ["s"], ["n"])
            .Expect("n", Nd.Scalar(E.Int64, 3));
        Three("sequence-output")
            .Out("s", seqOfRows)
            .Expect(TestValue.Sequence("s", a, b, c));

        corpus.Add(new ModelSpec("seq", "empty-insert-length"))
            .In("a", E.Float, "N", 4).In("b", E.Float, "N", 4)
            .Out("n", E.Int64)
            .Op("SequenceEmpty", [], ["e"], A.ElementType("dtype", E.Float))
            .Op("SequenceInsert", ["e", "a"], ["s1"])
            .Op("SequenceInsert", ["s1", "b"], ["s2"])
            .Op("SequenceLength", ["s2"], ["n"])
            .Feed("a", a).Feed("b", b)
            .Expect("n", Nd.Scalar(E.Int64, 2));
        corpus.Add(new ModelSpec("seq", "insert-at-front"))
            .In("a", E.Float, "N", 4).In("b", E.Float, "N", 4)
            .Out("s", seqOfRows)
            .Init("front", Nd.Scalar(E.Int64, 0))
            .Op("SequenceConstruct", ["a"], ["s1"])
            .Op("SequenceInsert", ["s1", "b", "front"], ["s"])
            .Feed("a", a).Feed("b", b)
            .Expect(TestValue.Sequence("s", b, a));

        var x = Nd.Random(rng, E.Float, [2, 6]);
        corpus.Add(new ModelSpec("seq", "split-to-sequence"))
            .In("x", E.Float, "N", 6)
            .Out("s", OnnxType.Sequence(OnnxType.TensorOfAnyShape(E.Float)))
            .Init("split", 2, 4)
            .Op("SplitToSequence", ["x", "split"], ["s"], A.Int("axis", 1))
            .Feed("x", x)
            .Expect(TestValue.Sequence("s", x.Narrow(1, 0, 2), x.Narrow(1, 2, 6)));
        var rows = Nd.Random(rng, E.Float, [3, 4]);
        corpus.Add(new ModelSpec("seq", "split-to-sequence-no-keepdims"))
            .In("x", E.Float, 3, 4)
            .Out("s", OnnxType.Sequence(OnnxType.Tensor(E.Float, 4)))
            .Op("SplitToSequence", ["x"], ["s"], A.Int("axis", 0), A.Int("keepdims", 0))
            .Feed("x", rows)
            .Expect(TestValue.Sequence("s", rows.Narrow(0, 0, 1).Reshape(4), rows.Narrow(0, 1, 2).Reshape(4), rows.Narrow(0, 2, 3).Reshape(4)));

        // Sequence graph inputs: from a test data set, and generated.
        corpus.Add(new ModelSpec("seq", "input-concat"))
            .In("s", seqOfRows, "N", 4)
            .Out("y", E.Float, "M", 4)
            .Op("ConcatFromSequence", ["s"], ["y"], A.Int("axis", 0))
            .Feed(TestValue.Sequence("s", a, b))
            .Expect("y", Nd.Concat(0, a, b));
        corpus.Add(new ModelSpec("seq", "input-length-generated"))
            .In("s", seqOfRows, "N", 4)
            .Out("n", E.Int64)
            .Op("SequenceLength", ["s"], ["n"]);
        corpus.Add(new ModelSpec("seq", "input-int64-at-generated"))
            .In("s", OnnxType.Sequence(OnnxType.Tensor(E.Int64, 3)), 3)
            .Out("y", E.Int64, 3)
            .Init("position", Nd.Scalar(E.Int64, 0))
            .Op("SequenceAt", ["s", "position"], ["y"]);
        corpus.Add(new ModelSpec("seq", "input-identity-output", 16))
            .In("s", seqOfRows, "N", 4)
            .Out("t", seqOfRows)
            .Op("Identity", ["s"], ["t"])
            .Feed(TestValue.Sequence("s", a, b, c))
            .Expect(TestValue.Sequence("t", a, b, c));

        // SequenceMap (opset 17): Relu applied to every element.
        var body = OnnxModelBuilder.Subgraph("relu_each")
            .Input("item", E.Float, "N", 4)
            .Output("item_out", E.Float, "N", 4)
            .Node("Relu", ["item"], ["item_out"]);
        corpus.Add(new ModelSpec("seq", "map-relu"))
            .In("s", seqOfRows, "N", 4)
            .Out("t", seqOfRows)
            .Op("SequenceMap", ["s"], ["t"], A.Graph("body", body))
            .Feed(TestValue.Sequence("s", a, b))
            .Expect(TestValue.Sequence("t", a.Map(v => Math.Max(0, v)), b.Map(v => Math.Max(0, v))));

        var narrow = Nd.Random(rng, E.Float, [2, 2]);
        var wide = Nd.Random(rng, E.Float, [2, 3]);
        corpus.Add(new ModelSpec("seq", "elements-of-different-shapes"))
            .In("p", E.Float, "N", 2).In("q", E.Float, "N", 3)
            .Out("y", E.Float, "N", 5)
            .Op("SequenceConstruct", ["p", "q"], ["s"])
            .Op("ConcatFromSequence", ["s"], ["y"], A.Int("axis", 1))
            .Feed("p", narrow).Feed("q", wide)
            .Expect("y", Nd.Concat(1, narrow, wide));
    }
}
