namespace BenchDaemon.Workers;

/// <summary>The ONNX Runtime a worker loads: what <c>benchdaemon_build_info</c>, <c>probe</c> and the defaults report.</summary>
/// <param name="OnnxRuntimeVersion">Native library version, or <see cref="Workloads.Onnx.OnnxRuntimeInfo.Unavailable"/>.</param>
/// <param name="Providers">Execution providers compiled into the library (not necessarily usable).</param>
/// <param name="Error">Why the library could not be loaded; null when it was.</param>
public sealed record RuntimeDescription(string OnnxRuntimeVersion, IReadOnlyList<string> Providers, string? Error)
{
    /// <summary>What is reported when no worker could describe its runtime.</summary>
    public static RuntimeDescription Unknown(string error) => new(Workloads.Onnx.OnnxRuntimeInfo.Unavailable, [], error);
}
