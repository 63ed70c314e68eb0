using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>What <see cref="QdqRewriter"/> does to one node: which inputs are activations, weight or bias.</summary>
internal sealed record NodeQuantization
{
    public required NodeProto Node { get; init; }

    /// <summary>Input slots fed by activations, each quantized per tensor with its calibrated range.</summary>
    public required IReadOnlyList<(int Input, string Tensor)> Activations { get; init; }

    /// <summary>
    /// The weight initializer's slot, name, channel axis (<see cref="QuantizedWeight.PerTensor"/> for
    /// none) and a factor folded into it (a Gemm's <c>alpha</c>).
    /// </summary>
    public (int Input, string Name, int Axis, float Multiplier)? Weight { get; init; }

    /// <summary>The bias initializer's slot and name, and a factor folded into it (a Gemm's <c>beta</c>).</summary>
    public (int Input, string Name, float Multiplier)? Bias { get; init; }

    /// <summary>
    /// The tensor after the node that gets a QuantizeLinear so that ONNX Runtime can fuse the node
    /// with a quantized output (QLinearConv has no float output): the node's own output, or that
    /// of a Relu or Clip that is its only consumer, which the quantized range then makes redundant.
    /// </summary>
    public string? Output { get; init; }

    /// <summary>Every activation tensor the node needs calibrated: its inputs, then <see cref="Output"/>.</summary>
    public IEnumerable<string> Tensors =>
        Output is null ? Activations.Select(a => a.Tensor) : Activations.Select(a => a.Tensor).Append(Output);
}
