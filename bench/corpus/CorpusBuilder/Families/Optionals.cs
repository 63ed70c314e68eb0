using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Optional values: wrapped and unwrapped in the graph, optional graph inputs (present and absent) and outputs, an If returning one.</summary>
internal static class Optionals
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(1111);
        var x = Nd.Random(rng, E.Float, [2, 4]);
        var relu = x.Map(v => Math.Max(0, v));
        var rows = OnnxType.Tensor(E.Float, "N", 4);
        var optionalRows = OnnxType.Optional(rows);
        var optionalSequence = OnnxType.Optional(OnnxType.Sequence(rows));

        corpus.Add(new ModelSpec("optional", "wrap-has-element", 15))
            .In("x", E.Float, "N", 4)
            .Out("has", E.Bool)
            .Op("Optional", ["x"], ["o"])
            .Op("OptionalHasElement", ["o"], ["has"])
            .Feed("x", x)
            .Expect("has", Nd.Scalar(E.Bool, 1));
        corpus.Add(new ModelSpec("optional", "wrap-get-element", 15))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("Optional", ["x"], ["o"])
            .Op("OptionalGetElement", ["o"], ["e"])
            .Op("Relu", ["e"], ["y"])
            .Feed("x", x)
            .Expect("y", relu);
        corpus.Add(new ModelSpec("optional", "tensor-output", 15))
            .In("x", E.Float, "N", 4)
            .Out("o", optionalRows)
            .Op("Optional", ["x"], ["o"])
            .Feed("x", x)
            .Expect(TestValue.Optional("o", x));
        corpus.Add(new ModelSpec("optional", "sequence-get-length", 15))
            .In("x", E.Float, "N", 4)
            .Out("n", E.Int64)
            .Op("SequenceConstruct", ["x"], ["s"])
            .Op("Optional", ["s"], ["o"])
            .Op("OptionalGetElement", ["o"], ["t"])
            .Op("SequenceLength", ["t"], ["n"])
            .Feed("x", x)
            .Expect("n", Nd.Scalar(E.Int64, 1));

        // Optional graph inputs (opset 18: OptionalHasElement and OptionalGetElement take them directly).
        corpus.Add(new ModelSpec("optional", "input-present", 18))
            .In("o", optionalRows, "N", 4)
            .Out("has", E.Bool)
            .Out("y", E.Float, "N", 4)
            .Op("OptionalHasElement", ["o"], ["has"])
            .Op("OptionalGetElement", ["o"], ["e"])
            .Op("Relu", ["e"], ["y"])
            .Feed(TestValue.Optional("o", x))
            .Expect("has", Nd.Scalar(E.Bool, 1))
            .Expect("y", relu);
        corpus.Add(new ModelSpec("optional", "input-absent", 18))
            .In("o", optionalRows, "N", 4)
            .Out("has", E.Bool)
            .Op("OptionalHasElement", ["o"], ["has"])
            .Feed(TestValue.Optional("o", null))
            .Expect("has", Nd.Scalar(E.Bool, 0));
        corpus.Add(new ModelSpec("optional", "input-generated", 18))
            .In("o", optionalRows, "N", 4)
            .Out("has", E.Bool)
            .Out("y", E.Float, "N", 4)
            .Op("OptionalHasElement", ["o"], ["has"])
            .Op("OptionalGetElement", ["o"], ["e"])
            .Op("Relu", ["e"], ["y"])
            .Expecting("ok (a generated optional is present)");
        corpus.Add(new ModelSpec("optional", "input-passthrough", 18))
            .In("o", optionalRows, "N", 4)
            .Out("p", optionalRows)
            .Op("Identity", ["o"], ["p"])
            .Feed(TestValue.Optional("o", x))
            .Expect(TestValue.Optional("p", x));

        corpus.Add(new ModelSpec("optional", "input-absent-passthrough", 18))
            .In("o", optionalRows, "N", 4)
            .Out("p", optionalRows)
            .Op("Identity", ["o"], ["p"])
            .Feed(TestValue.Optional("o", null))
            .Expect(TestValue.Optional("p", null));

        // If returning an optional: built in the then branch, the optional input passed through in the else branch.
        OnnxModelBuilder Then(OnnxType type, bool sequence)
        {
            var then = OnnxModelBuilder.Subgraph("then", "x").Output("then_out", type);
            if (sequence)
            {
                then.Node("SequenceConstruct", ["x"], ["s"]).Node("Optional", ["s"], ["then_out"]);
            }
            else
            {
                then.Node("Optional", ["x"], ["then_out"]);
            }

            return then;
        }

        OnnxModelBuilder Else(OnnxType type) =>
            OnnxModelBuilder.Subgraph("else", "maybe").Output("else_out", type).Node("Identity", ["maybe"], ["else_out"]);

        var presentSequence = new OptionalProto { Name = "y", ElemType = (int)SequenceProto.Types.DataType.Sequence, SequenceValue = new SequenceProto { ElemType = (int)SequenceProto.Types.DataType.Tensor } };
        presentSequence.SequenceValue.TensorValues.Add(OwnProto.Tensor(string.Empty, x));
        corpus.Add(new ModelSpec("optional", "if-optional-sequence", 18))
            .In("cond", E.Bool).In("x", E.Float, "N", 4).In("maybe", optionalSequence, "N", 4)
            .Out("y", optionalSequence)
            .Op("If", ["cond"], ["y"], A.Graph("then_branch", Then(optionalSequence, true)), A.Graph("else_branch", Else(optionalSequence)))
            .Feed("cond", Nd.Scalar(E.Bool, 1)).Feed("x", x).Feed(TestValue.Optional("maybe", null))
            .Expect(TestValue.Raw("y", presentSequence));
        corpus.Add(new ModelSpec("optional", "if-optional-tensor-absent", 18))
            .In("cond", E.Bool).In("x", E.Float, "N", 4).In("maybe", optionalRows, "N", 4)
            .Out("y", optionalRows)
            .Op("If", ["cond"], ["y"], A.Graph("then_branch", Then(optionalRows, false)), A.Graph("else_branch", Else(optionalRows)))
            .Feed("cond", Nd.Scalar(E.Bool, 0)).Feed("x", x).Feed(TestValue.Optional("maybe", null))
            .Expect(TestValue.Optional("y", null));
        corpus.Add(new ModelSpec("optional", "if-optional-tensor-generated", 18))
            .In("cond", E.Bool).In("x", E.Float, "N", 4).In("maybe", optionalRows, "N", 4)
            .Out("y", optionalRows)
            .Op("If", ["cond"], ["y"], A.Graph("then_branch", Then(optionalRows, false)), A.Graph("else_branch", Else(optionalRows)));
    }
}
