namespace BenchDaemon.Workloads.Canaries;

/// <summary>What a canary's model is.</summary>
public enum ModelKind
{
    /// <summary>An <c>.onnx</c> file.</summary>
    File,

    /// <summary>A built-in model of the zoo (<c>builtin:resnet50</c>), generated on first use.</summary>
    Builtin,

    /// <summary>A CUDA micro-canary (<c>cuda:gemm</c>, <c>cuda:memcpy</c>, <c>cuda:pcie</c>).</summary>
    Cuda,
}
