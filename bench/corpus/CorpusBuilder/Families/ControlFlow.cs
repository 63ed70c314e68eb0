using BenchDaemon.Workloads.Models.Graph;
using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>If with then/else subgraphs, Loop with a trip count input or a condition, Scan.</summary>
internal static class ControlFlow
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(909);
        AddIfs(corpus, rng);
        AddLoops(corpus, rng);
    }

    // then: x + 1, else: x - 1, both reading x and one from the outer graph.
    private static (OnnxModelBuilder Then, OnnxModelBuilder Else) AddOrSubtract()
    {
        var then = OnnxModelBuilder.Subgraph("then", "x", "one")
            .Output("then_out", E.Float, "N", 4)
            .Node("Add", ["x", "one"], ["then_out"]);
        var otherwise = OnnxModelBuilder.Subgraph("else", "x", "one")
            .Output("else_out", E.Float, "N", 4)
            .Node("Sub", ["x", "one"], ["else_out"]);
        return (then, otherwise);
    }

    private static void AddIfs(Corpus corpus, Rng rng)
    {
        var x = Nd.Random(rng, E.Float, [2, 4]);
        var one = Nd.Scalar(E.Float, 1);
        foreach (var (name, cond) in new[] { ("if-then-data", true), ("if-else-data", false) })
        {
            var (then, otherwise) = AddOrSubtract();
            corpus.Add(new ModelSpec("control", name))
                .In("cond", E.Bool).In("x", E.Float, "N", 4)
                .Out("y", E.Float, "N", 4)
                .Init("one", one)
                .Op("If", ["cond"], ["y"], A.Graph("then_branch", then), A.Graph("else_branch", otherwise))
                .Feed("cond", Nd.Scalar(E.Bool, cond ? 1 : 0)).Feed("x", x)
                .Expect("y", x.Map(v => cond ? v + 1 : v - 1));
        }

        {
            var (then, otherwise) = AddOrSubtract();
            corpus.Add(new ModelSpec("control", "if-generated-condition"))
                .In("cond", E.Bool).In("x", E.Float, "N", 4)
                .Out("y", E.Float, "N", 4)
                .Init("one", one)
                .Op("If", ["cond"], ["y"], A.Graph("then_branch", then), A.Graph("else_branch", otherwise));
        }

        {
            // The condition computed in the graph: sum(x) > 0.
            var (then, otherwise) = AddOrSubtract();
            var positive = x.Data.Sum() > 0;
            corpus.Add(new ModelSpec("control", "if-computed-condition"))
                .In("x", E.Float, "N", 4)
                .Out("y", E.Float, "N", 4)
                .Init("one", one).Init("zero", Nd.Scalar(E.Float, 0))
                .Op("ReduceSum", ["x"], ["total"], A.Int("keepdims", 0))
                .Op("Greater", ["total", "zero"], ["cond"])
                .Op("If", ["cond"], ["y"], A.Graph("then_branch", then), A.Graph("else_branch", otherwise))
                .Feed("x", x)
                .Expect("y", x.Map(v => positive ? v + 1 : v - 1));
        }

        {
            // Branches of different shapes: [N, 4] or [N, 1].
            var then = OnnxModelBuilder.Subgraph("then", "x")
                .Output("then_out", OnnxType.TensorOfAnyShape(E.Float))
                .Node("Relu", ["x"], ["then_out"]);
            var otherwise = OnnxModelBuilder.Subgraph("else", "x", "axes")
                .Output("else_out", OnnxType.TensorOfAnyShape(E.Float))
                .Node("ReduceSum", ["x", "axes"], ["else_out"]);
            corpus.Add(new ModelSpec("control", "if-branch-shapes-differ"))
                .In("cond", E.Bool).In("x", E.Float, "N", 4)
                .Out("y", OnnxType.TensorOfAnyShape(E.Float))
                .Init("axes", 1)
                .Op("If", ["cond"], ["y"], A.Graph("then_branch", then), A.Graph("else_branch", otherwise))
                .Feed("cond", Nd.Scalar(E.Bool, 0)).Feed("x", x)
                .Expect("y", x.Reduce([1], true, g => g.Sum()));
        }

        {
            // An If inside an If's then branch.
            var (innerThen, innerElse) = AddOrSubtract();
            var outerThen = OnnxModelBuilder.Subgraph("outer_then", "x", "one", "inner")
                .Output("outer_then_out", E.Float, "N", 4)
                .Node("If", ["inner"], ["outer_then_out"], attributes: [A.Graph("then_branch", innerThen), A.Graph("else_branch", innerElse)]);
            var outerElse = OnnxModelBuilder.Subgraph("outer_else", "x")
                .Output("outer_else_out", E.Float, "N", 4)
                .Node("Identity", ["x"], ["outer_else_out"]);
            corpus.Add(new ModelSpec("control", "if-nested"))
                .In("outer", E.Bool).In("inner", E.Bool).In("x", E.Float, "N", 4)
                .Out("y", E.Float, "N", 4)
                .Init("one", one)
                .Op("If", ["outer"], ["y"], A.Graph("then_branch", outerThen), A.Graph("else_branch", outerElse))
                .Feed("outer", Nd.Scalar(E.Bool, 1)).Feed("inner", Nd.Scalar(E.Bool, 0)).Feed("x", x)
                .Expect("y", x.Map(v => v - 1));
        }

        {
            // Branches returning sequences of different lengths.
            var then = OnnxModelBuilder.Subgraph("then", "x")
                .Output("then_out", OnnxType.Sequence(OnnxType.Tensor(E.Float, "N", 4)))
                .Node("SequenceConstruct", ["x", "x"], ["then_out"]);
            var otherwise = OnnxModelBuilder.Subgraph("else", "x")
                .Output("else_out", OnnxType.Sequence(OnnxType.Tensor(E.Float, "N", 4)))
                .Node("SequenceConstruct", ["x"], ["else_out"]);
            corpus.Add(new ModelSpec("control", "if-sequence-output"))
                .In("cond", E.Bool).In("x", E.Float, "N", 4)
                .Out("y", OnnxType.Sequence(OnnxType.Tensor(E.Float, "N", 4)))
                .Op("If", ["cond"], ["y"], A.Graph("then_branch", then), A.Graph("else_branch", otherwise))
                .Feed("cond", Nd.Scalar(E.Bool, 1)).Feed("x", x)
                .Expect(TestValue.Sequence("y", x, x));
        }
    }

    // A Loop body adding x (outer scope) to the carried value each iteration; cond passes through.
    private static OnnxModelBuilder AccumulateBody(bool scanOutput = false, bool whileLess = false)
    {
        var body = OnnxModelBuilder.Subgraph("body", whileLess ? ["x", "last"] : ["x"])
            .Input("i", E.Int64)
            .Input("cond_in", E.Bool)
            .Input("acc_in", E.Float, "N", 4)
            .Output("cond_out", E.Bool)
            .Output("acc_out", E.Float, "N", 4)
            .Node("Add", ["acc_in", "x"], ["acc_out"]);
        if (whileLess)
        {
            body.Node("Less", ["i", "last"], ["cond_out"]);
        }
        else
        {
            body.Node("Identity", ["cond_in"], ["cond_out"]);
        }

        if (scanOutput)
        {
            body.Output("step", E.Float, "N", 4).Node("Identity", ["acc_out"], ["step"]);
        }

        return body;
    }

    private static void AddLoops(Corpus corpus, Rng rng)
    {
        var x = Nd.Random(rng, E.Float, [2, 4]);
        corpus.Add(new ModelSpec("control", "loop-trip-count-data"))
            .In("trips", E.Int64).In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("Loop", ["trips", string.Empty, "x"], ["y"], A.Graph("body", AccumulateBody()))
            .Feed("trips", Nd.Scalar(E.Int64, 3)).Feed("x", x)
            .Expect("y", x.Map(v => 4 * v));
        corpus.Add(new ModelSpec("control", "loop-trip-count-generated"))
            .In("trips", E.Int64).In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("Loop", ["trips", string.Empty, "x"], ["y"], A.Graph("body", AccumulateBody()))
            .Expecting("ok (the generated trip count is small: an input hint)");
        corpus.Add(new ModelSpec("control", "loop-scan-outputs"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Out("steps", E.Float, 3, "N", 4)
            .Init("trips", Nd.Scalar(E.Int64, 3))
            .Op("Loop", ["trips", string.Empty, "x"], ["y", "steps"], A.Graph("body", AccumulateBody(scanOutput: true)))
            .Feed("x", x)
            .Expect("y", x.Map(v => 4 * v))
            .Expect("steps", Nd.Concat(0, x.Map(v => 2 * v).Reshape(1, 2, 4), x.Map(v => 3 * v).Reshape(1, 2, 4), x.Map(v => 4 * v).Reshape(1, 2, 4)));
        corpus.Add(new ModelSpec("control", "loop-while-condition"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Init("last", Nd.Scalar(E.Int64, 4)).Init("zero", Nd.Scalar(E.Int64, 0))
            .Op("Less", ["zero", "last"], ["go"])
            .Op("Loop", [string.Empty, "go", "x"], ["y"], A.Graph("body", AccumulateBody(whileLess: true)))
            .Feed("x", x)
            .Expect("y", x.Map(v => 6 * v));

        {
            // A sequence carried through the loop: one copy of x per iteration.
            var body = OnnxModelBuilder.Subgraph("body", "x")
                .Input("i", E.Int64)
                .Input("cond_in", E.Bool)
                .Input("seq_in", OnnxType.Sequence(OnnxType.Tensor(E.Float, "N", 4)))
                .Output("cond_out", E.Bool)
                .Output("seq_out", OnnxType.Sequence(OnnxType.Tensor(E.Float, "N", 4)))
                .Node("Identity", ["cond_in"], ["cond_out"])
                .Node("SequenceInsert", ["seq_in", "x"], ["seq_out"]);
            corpus.Add(new ModelSpec("control", "loop-sequence-carried"))
                .In("trips", E.Int64).In("x", E.Float, "N", 4)
                .Out("y", OnnxType.Sequence(OnnxType.Tensor(E.Float, "N", 4)))
                .Op("SequenceEmpty", [], ["empty"], A.ElementType("dtype", E.Float))
                .Op("Loop", ["trips", string.Empty, "empty"], ["y"], A.Graph("body", body))
                .Feed("trips", Nd.Scalar(E.Int64, 3)).Feed("x", x)
                .Expect(TestValue.Sequence("y", x, x, x));
        }

        {
            // Scan (opset 16): a running sum over the first axis.
            var body = OnnxModelBuilder.Subgraph("scan_body")
                .Input("state_in", E.Float, 3)
                .Input("row", E.Float, 3)
                .Output("state_out", E.Float, 3)
                .Output("row_out", E.Float, 3)
                .Node("Add", ["state_in", "row"], ["state_out"])
                .Node("Identity", ["state_out"], ["row_out"]);
            var rows = Nd.Random(rng, E.Float, [5, 3]);
            corpus.Add(new ModelSpec("control", "scan-running-sum"))
                .In("rows", E.Float, 5, 3)
                .Out("total", E.Float, 3)
                .Out("sums", E.Float, 5, 3)
                .Init("start", Nd.Filled(E.Float, [3], 0))
                .Op("Scan", ["start", "rows"], ["total", "sums"], A.Graph("body", body), A.Int("num_scan_inputs", 1))
                .Feed("rows", rows)
                .Expect("total", rows.Reduce([0], false, g => g.Aggregate(0.0, (a, v) => (float)(a + v))))
                .Expect("sums", rows.CumSum(0));
        }
    }
}
