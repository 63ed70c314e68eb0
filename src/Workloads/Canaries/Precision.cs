namespace BenchDaemon.Workloads.Canaries;

/// <summary>Numeric precision of a canary's model or engine.</summary>
public enum Precision
{
    /// <summary>32-bit float, the reference.</summary>
    FP32,

    /// <summary>16-bit float.</summary>
    FP16,

    /// <summary>8-bit integer (quantized).</summary>
#pragma warning disable CA1720 // The name users write in configuration and see in labels.
    INT8,
#pragma warning restore CA1720
}
