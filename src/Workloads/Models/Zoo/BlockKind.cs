namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>The block a <see cref="BlockConfig"/> stacks.</summary>
public enum BlockKind
{
    /// <summary>3×3 Conv (with bias) → BatchNormalization → Relu, width channels in and out.</summary>
    Conv,

    /// <summary>Multi-head self-attention (Q, K, V and output projections, softmax) → residual Add → LayerNormalization → Relu.</summary>
    Attention,
}
