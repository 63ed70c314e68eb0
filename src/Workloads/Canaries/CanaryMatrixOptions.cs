namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// The matrix form of a canary (section <c>Canaries:N:Matrix</c>): one canary per model ×
/// provider × precision, each with the block's batch sizes and other settings.
/// </summary>
public sealed class CanaryMatrixOptions
{
    /// <summary>Model paths or <c>builtin:name</c>.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Provider names; empty means the block's <c>Provider</c>.</summary>
    public List<string> Providers { get; set; } = [];

    /// <summary>Precisions; empty means the block's <c>Precision</c>.</summary>
    public List<Precision> Precisions { get; set; } = [];
}
