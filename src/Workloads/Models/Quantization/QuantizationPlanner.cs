using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>
/// Chooses the nodes to quantize and the role of each of their inputs. A node is taken only
/// when the whole QDQ group that ONNX Runtime fuses can be formed, so that no node is left
/// half-quantized: a Conv or Gemm needs a FLOAT weight initializer (and a bias initializer of
/// one value per output channel, if it has a bias); a MatMul needs a non-constant first input,
/// and its second input is either a FLOAT weight initializer or an activation.
/// </summary>
internal static class QuantizationPlanner
{
    private static readonly string[] s_fusableActivations = ["Relu", "Clip"];

    public static List<NodeQuantization> Select(GraphProto graph, QuantizationOptions options)
    {
        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        // An initializer that is also a graph input can be overridden at run time, so it is no constant.
        var initializers = graph.Initializer
            .Where(i => !graphInputs.Contains(i.Name))
            .GroupBy(i => i.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Where(i => i.Length > 0).Distinct(StringComparer.Ordinal))
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }

        var selected = new List<NodeQuantization>();
        foreach (var node in graph.Node)
        {
            if (node.Domain is not ("" or "ai.onnx") || !options.OpTypes.Contains(node.OpType, StringComparer.Ordinal))
            {
                continue;
            }

            var plan = node.OpType switch
            {
                "Conv" => Conv(node, initializers, consumers, options),
                "MatMul" => MatMul(node, initializers, options),
                "Gemm" => Gemm(node, initializers, options),
                _ => null,
            };
            if (plan is not null)
            {
                selected.Add(plan);
            }
        }

        return selected;
    }

    private static NodeQuantization? Conv(NodeProto node, Dictionary<string, TensorProto> initializers, Dictionary<string, List<NodeProto>> consumers, QuantizationOptions options)
    {
        if (node.Input.Count < 2 || !IsActivation(node.Input[0], initializers)
            || !initializers.TryGetValue(node.Input[1], out var weight) || !FloatInitializer.IsFloat(weight) || weight.Dims.Count < 3)
        {
            return null;
        }

        var bias = Bias(node, 2, weight.Dims[0], initializers, 1f);
        if (bias is { } b && b.Input < 0)
        {
            return null;
        }

        return new NodeQuantization
        {
            Node = node,
            Activations = [(0, node.Input[0])],
            Weight = (1, weight.Name, options.PerChannel ? 0 : QuantizedWeight.PerTensor, 1f),
            Bias = bias,
            Output = FusedOutput(node.Output[0], consumers),
        };
    }

    private static NodeQuantization? MatMul(NodeProto node, Dictionary<string, TensorProto> initializers, QuantizationOptions options)
    {
        if (node.Input.Count != 2 || !IsActivation(node.Input[0], initializers))
        {
            return null;
        }

        if (IsActivation(node.Input[1], initializers))
        {
            // Activation × activation (attention scores): both per tensor; QLinearMatMul or MatMulIntegerToFloat.
            return new NodeQuantization { Node = node, Activations = [(0, node.Input[0]), (1, node.Input[1])] };
        }

        var weight = initializers[node.Input[1]];
        if (!FloatInitializer.IsFloat(weight))
        {
            return null;
        }

        // Per column of a 2-D [K, N] weight, the only per-channel form ONNX Runtime's
        // QLinearMatMul and MatMulIntegerToFloat kernels take; a batched weight stays per tensor.
        var axis = options.PerChannel && weight.Dims.Count == 2 ? 1 : QuantizedWeight.PerTensor;
        return new NodeQuantization { Node = node, Activations = [(0, node.Input[0])], Weight = (1, weight.Name, axis, 1f) };
    }

    private static NodeQuantization? Gemm(NodeProto node, Dictionary<string, TensorProto> initializers, QuantizationOptions options)
    {
        if (node.Input.Count < 2 || !IsActivation(node.Input[0], initializers)
            || !initializers.TryGetValue(node.Input[1], out var weight) || !FloatInitializer.IsFloat(weight) || weight.Dims.Count != 2)
        {
            return null;
        }

        // Y = alpha · A' · B' + beta · C with B' = transB ? Bᵀ : B, so the output channels (N) are
        // B's axis 0 when transposed and axis 1 otherwise.
        var transB = node.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0;
        var channelAxis = transB != 0 ? 0 : 1;
        var alpha = node.Attribute.FirstOrDefault(a => a.Name == "alpha")?.F ?? 1f;
        var beta = node.Attribute.FirstOrDefault(a => a.Name == "beta")?.F ?? 1f;
        var bias = Bias(node, 2, weight.Dims[channelAxis], initializers, beta);
        if (bias is { } b && b.Input < 0)
        {
            return null;
        }

        return new NodeQuantization
        {
            Node = node,
            Activations = [(0, node.Input[0])],
            Weight = (1, weight.Name, options.PerChannel ? channelAxis : QuantizedWeight.PerTensor, alpha),
            Bias = bias,
        };
    }

    // Null without a bias; Input −1 for a bias that cannot be quantized (not a FLOAT initializer
    // of one value per channel: [N], or a Gemm's [1, N]).
    private static (int Input, string Name, float Multiplier)? Bias(NodeProto node, int slot, long channels, Dictionary<string, TensorProto> initializers, float multiplier)
    {
        if (node.Input.Count <= slot || node.Input[slot].Length == 0)
        {
            return null;
        }

        if (!initializers.TryGetValue(node.Input[slot], out var bias) || !FloatInitializer.IsFloat(bias))
        {
            return (-1, node.Input[slot], multiplier);
        }

        var perChannel = bias.Dims.Count switch
        {
            1 => bias.Dims[0] == channels,
            2 => bias.Dims[0] == 1 && bias.Dims[1] == channels,
            _ => false,
        };
        return (perChannel ? slot : -1, bias.Name, multiplier);
    }

    private static string FusedOutput(string output, Dictionary<string, List<NodeProto>> consumers)
    {
        if (consumers.TryGetValue(output, out var next) && next.Count == 1
            && next[0].Domain is ("" or "ai.onnx") && s_fusableActivations.Contains(next[0].OpType, StringComparer.Ordinal)
            && next[0].Input[0] == output && next[0].Output.Count == 1)
        {
            return next[0].Output[0];
        }

        return output;
    }

    private static bool IsActivation(string name, Dictionary<string, TensorProto> initializers) =>
        name.Length > 0 && !initializers.ContainsKey(name);
}
