using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// Reads from the graph what values its inputs must hold to be valid, so generated data does not
/// make ONNX Runtime refuse a valid model: indices of <c>Gather</c>/<c>Scatter</c> within the size
/// of the axis they index (an embedding table's rows), <c>Slice</c> starts 0 and ends past the
/// end, <c>TopK</c>'s k 1, <c>Resize</c> scales 1 and sizes the input's own, a <c>Reshape</c>
/// target that keeps the element count, divisors that are not zero, and so on. An input is
/// followed through value-preserving operators (<c>Cast</c>, <c>Unsqueeze</c>…) to its use.
/// </summary>
internal static class InputHints
{
    private static readonly HashSet<string> s_passThrough = new(StringComparer.Ordinal)
    {
        "Cast", "Identity", "Unsqueeze", "Squeeze", "Reshape", "Flatten", "Expand", "Transpose",
    };

    /// <summary>Hints per graph input of the model at <paramref name="modelPath"/>, given the inputs' resolved shapes.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model.</exception>
    public static Dictionary<string, InputHint> For(string modelPath, IReadOnlyDictionary<string, long[]> inputShapes)
    {
        var (nodes, initializers) = OnnxModelInputs.ReadStructure(modelPath);
        return For(nodes, initializers, inputShapes);
    }

    /// <summary>Hints per graph input for a graph of <paramref name="nodes"/>.</summary>
    public static Dictionary<string, InputHint> For(IReadOnlyList<NodeProto> nodes, IReadOnlyDictionary<string, long[]> initializers, IReadOnlyDictionary<string, long[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(initializers);
        ArgumentNullException.ThrowIfNull(inputShapes);
        var consumers = new Dictionary<string, List<(NodeProto Node, int Position)>>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            for (var p = 0; p < node.Input.Count; p++)
            {
                if (node.Input[p].Length == 0)
                {
                    continue;
                }

                if (!consumers.TryGetValue(node.Input[p], out var list))
                {
                    consumers[node.Input[p]] = list = [];
                }

                list.Add((node, p));
            }
        }

        long[]? ShapeOf(string name) =>
            initializers.TryGetValue(name, out var dims) ? dims : inputShapes.TryGetValue(name, out var shape) ? shape : null;

        var hints = new Dictionary<string, InputHint>(StringComparer.Ordinal);
        foreach (var input in inputShapes.Keys)
        {
            // Breadth-first through value-preserving operators, a few steps deep.
            var frontier = new List<string> { input };
            var seen = new HashSet<string>(StringComparer.Ordinal) { input };
            InputHint? hint = null;
            for (var depth = 0; depth < 4 && frontier.Count > 0 && hint is null; depth++)
            {
                var next = new List<string>();
                foreach (var name in frontier)
                {
                    foreach (var (node, position) in consumers.GetValueOrDefault(name) ?? [])
                    {
                        hint = Combine(hint, Use(node, position, ShapeOf));
                        if (position == 0 && s_passThrough.Contains(node.OpType) && node.Output.Count > 0 && seen.Add(node.Output[0]))
                        {
                            next.Add(node.Output[0]);
                        }
                    }
                }

                frontier = next;
            }

            if (hint is not null)
            {
                hints[input] = hint;
            }
        }

        return hints;
    }

    // Two uses of one input: ranges intersect; fixed values win over a range.
    private static InputHint? Combine(InputHint? a, InputHint? b) => (a, b) switch
    {
        (null, _) => b,
        (_, null) => a,
        ({ Value: not null }, _) => a,
        (_, { Value: not null }) => b,
        _ => new InputHint(Math.Max(a.Lower, b.Lower), Math.Max(Math.Max(a.Lower, b.Lower) + 1, Math.Min(a.Upper, b.Upper)), null, a.Reason),
    };

    private static InputHint? Use(NodeProto node, int position, Func<string, long[]?> shapeOf)
    {
        long Axis(long rank)
        {
            var axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 0;
            return axis < 0 ? axis + rank : axis;
        }

        InputHint IndexInto(string what)
        {
            // Indices of the data's axis: within its size where the graph tells, else 0.
            var data = shapeOf(node.Input[0]);
            var upper = data is { Length: > 0 } && Axis(data.Length) is var axis && axis >= 0 && axis < data.Length && data[axis] > 0 ? data[axis] : 1;
            return InputHint.Range(0, upper, $"{what} of {node.OpType} '{node.Name}'");
        }

        InputHint IndexIntoAll(string what)
        {
            var data = shapeOf(node.Input[0]);
            var upper = data is { Length: > 0 } && data.Min() > 0 ? data.Min() : 1;
            return InputHint.Range(0, upper, $"{what} of {node.OpType} '{node.Name}'");
        }

        long Rank(int input) => node.Input.Count > input && shapeOf(node.Input[input]) is { } shape ? shape.Length : -1;

        return (node.OpType, position) switch
        {
            ("Gather" or "GatherElements" or "ScatterElements" or "Scatter", 1) => IndexInto("indices"),
            ("GatherND" or "ScatterND", 1) => IndexIntoAll("indices"),
            ("TopK", 1) => InputHint.Fill(1, "k of TopK"),
            ("Slice", 1) => InputHint.Fill(0, "starts of Slice"),
            ("Slice", 2) => InputHint.Fill(int.MaxValue, "ends of Slice"),
            ("Slice", 3) or ("Pad", 3) or ("Unsqueeze", 1) or ("ReduceSum" or "ReduceMean" or "ReduceMax" or "ReduceMin" or "ReduceProd" or "ReduceL1" or "ReduceL2" or "ReduceLogSumExp" or "ReduceSumSquare" or "ReduceLogSum", 1)
                => InputHint.Of((i, _) => i, $"axes of {node.OpType}"),
            ("Slice", 4) => InputHint.Fill(1, "steps of Slice"),
            ("Pad", 1) => InputHint.Fill(0, "pads of Pad"),
            ("Upsample", 1) => InputHint.Fill(1, "scales of Upsample"),
            ("Resize", 1) => InputHint.Of((i, n) => i < n / 2 ? 0 : 1, "roi of Resize"),
            ("Resize", 2) => InputHint.Fill(1, "scales of Resize"),
            ("Resize", 3) => shapeOf(node.Input[0]) is { } x ? InputHint.Of((i, _) => i < x.Length ? x[i] : 1, "sizes of Resize") : InputHint.Fill(1, "sizes of Resize"),
            ("Reshape", 1) => Reshape(Rank(0)),
            ("Expand" or "Tile", 1) => InputHint.Fill(1, $"{(node.OpType == "Tile" ? "repeats" : "shape")} of {node.OpType}"),
            ("ConstantOfShape", 0) => InputHint.Fill(2, "shape of ConstantOfShape"),
            ("Range", 0) => InputHint.Fill(0, "start of Range"),
            ("Range", 1) => InputHint.Fill(8, "limit of Range"),
            ("Range", 2) => InputHint.Fill(1, "delta of Range"),
            ("OneHot", 1) => InputHint.Fill(8, "depth of OneHot"),
            ("Loop", 0) => InputHint.Fill(3, "trip count of Loop"),
            ("Div" or "Mod", 1) => InputHint.Range(1, InputGenerator.DefaultVocabulary, $"divisor of {node.OpType}"),
            ("NonMaxSuppression", 2) => InputHint.Fill(10, "max_output_boxes_per_class of NonMaxSuppression"),
            ("NonMaxSuppression", 3) => InputHint.Fill(0.5, "iou_threshold of NonMaxSuppression"),
            ("NonMaxSuppression", 4) => InputHint.Fill(0, "score_threshold of NonMaxSuppression"),
            ("LSTM" or "GRU" or "RNN", 4) => SequenceLengths(node, shapeOf),
            ("CumSum", 1) or ("Trilu", 1) => InputHint.Fill(0, $"{(node.OpType == "CumSum" ? "axis" : "k")} of {node.OpType}"),
            _ => null,
        };
    }

    // sequence_lens of a recurrent operator: each batch entry as long as the sequence (X is
    // [seq, batch, input], or [batch, seq, input] with layout 1).
    private static InputHint SequenceLengths(NodeProto node, Func<string, long[]?> shapeOf)
    {
        var layout = node.Attribute.FirstOrDefault(a => a.Name == "layout")?.I ?? 0;
        var x = shapeOf(node.Input[0]);
        var length = x is { Length: 3 } ? x[layout == 1 ? 1 : 0] : 1;
        return InputHint.Fill(Math.Max(1, length), $"sequence_lens of {node.OpType}");
    }

    // A Reshape target that keeps the element count: copy the leading dimensions (0) and fold the
    // rest (-1), or copy them all and add ones.
    private static InputHint Reshape(long rank) =>
        InputHint.Of((i, n) => rank < 0 ? (i == n - 1 ? -1 : 0) : n <= rank ? (i == n - 1 ? -1 : 0) : (i < rank ? 0 : 1), "shape of Reshape");
}

/// <summary>What generated data for one input must be: integers in [<see cref="Lower"/>, <see cref="Upper"/>), or exactly <see cref="Value"/>(element, count).</summary>
/// <param name="Lower">The smallest integer allowed.</param>
/// <param name="Upper">The exclusive upper bound of integers.</param>
/// <param name="Value">The value of element i of n, when it is fixed.</param>
/// <param name="Reason">What the graph does with the input.</param>
public sealed record InputHint(long Lower, long Upper, Func<long, long, double>? Value, string Reason)
{
    /// <summary>Integers in [lower, upper).</summary>
    public static InputHint Range(long lower, long upper, string reason) => new(lower, Math.Max(lower + 1, upper), null, reason);

    /// <summary>Every element <paramref name="value"/>.</summary>
    public static InputHint Fill(double value, string reason) => new(0, 0, (_, _) => value, reason);

    /// <summary>Element i of n is <paramref name="value"/>(i, n).</summary>
    public static InputHint Of(Func<long, long, double> value, string reason) => new(0, 0, value, reason);
}
