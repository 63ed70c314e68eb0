using System.Text;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Models broken on purpose: each must fail with a clear reason, never crash or hang.</summary>
internal static class Invalid
{
    private const string Note = "invalid by construction: failed";

    public static void Add(Corpus corpus)
    {
        ModelSpec Relu(string name, long opset = 17) => corpus.Add(new ModelSpec("invalid", name, opset))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("Relu", ["x"], ["y"]);

        Relu("truncated-file").Expecting($"{Note}: model_invalid (the file is cut in half)").Corrupt = b => b[..(b.Length / 2)];
        Relu("empty-file").Expecting($"{Note}: model_invalid (an empty file)").Corrupt = _ => [];
        Relu("not-onnx").Expecting($"{Note}: model_invalid (a text file)").Corrupt = _ => Encoding.UTF8.GetBytes("this is not an ONNX model\n");
        Relu("garbage-bytes").Expecting($"{Note}: model_invalid (random bytes)").Corrupt = b =>
        {
            var rng = new Rng(1616);
            return [.. Enumerable.Range(0, b.Length).Select(_ => (byte)rng.Next())];
        };
        Relu("opset-too-new", 99).Expecting($"{Note}: model_invalid (ai.onnx opset 99)");
        Relu("ir-version-too-new").Expecting($"{Note}: model_invalid (IR version 99)").Patch(m => m.IrVersion = 99);
        Relu("undefined-input-name").Expecting($"{Note}: model_invalid (a node reads a name nothing defines)").Patch(m => m.Graph.Node[0].Input[0] = "nowhere");
        Relu("duplicate-output-name").Expecting($"{Note}: model_invalid (two nodes write y)").Patch(m => m.Graph.Node.Add(m.Graph.Node[0].Clone()));

        // Valid models with a broken test data set.
        var x = Nd.Random(new Rng(1818), E.Float, [2, 4]);
        Relu("test-data-wrong-expected-output")
            .Feed("x", x)
            .Expect("y", x.Map(v => Math.Max(0, v) + 1))
            .Expecting($"{Note}: wrong_result (the test data expects relu(x) + 1)");
        Relu("test-data-wrong-input-type")
            .Feed("x", Nd.Of(E.Int64, [2, 4], 1, 2, 3, 4, 5, 6, 7, 8))
            .Expecting($"{Note}: input_error (input_0.pb holds int64 for a float input)");
        Relu("test-data-wrong-output-shape")
            .Feed("x", x)
            .Expect("y", x.Reshape(4, 2))
            .Expecting($"{Note}: wrong_result (the expected output has shape [4, 2])");

        corpus.Add(new ModelSpec("invalid", "unknown-operator"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("NoSuchOperator", ["x"], ["y"])
            .Expecting($"{Note}: model_invalid (an operator ONNX does not have)");
        corpus.Add(new ModelSpec("invalid", "unknown-domain"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Domain("com.example.custom", 1, "custom", "Frobnicate", ["x"], ["y"])
            .Expecting($"{Note}: model_invalid (a custom operator without its library)");
        corpus.Add(new ModelSpec("invalid", "type-mismatch"))
            .In("a", E.Float, "N", 4).In("b", E.Int64, "N", 4)
            .Out("y", E.Float, "N", 4)
            .Op("Add", ["a", "b"], ["y"])
            .Expecting($"{Note}: model_invalid (Add of float and int64)");
        corpus.Add(new ModelSpec("invalid", "missing-required-attribute"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Int64, "N", 4)
            .Op("Cast", ["x"], ["y"])
            .Expecting($"{Note}: model_invalid (Cast without 'to')");
        corpus.Add(new ModelSpec("invalid", "matmul-shape-mismatch"))
            .In("x", E.Float, "N", 16)
            .Out("y", E.Float, "N", 4)
            .Init("w", Nd.Random(new Rng(1717), E.Float, [8, 4]))
            .Op("MatMul", ["x", "w"], ["y"])
            .Expecting($"{Note}: model_invalid or runtime_error (inner dimensions 16 and 8)");
    }
}
