using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workers;

/// <summary>The ONNX Runtime a worker loads: what <c>benchdaemon_build_info</c>, <c>probe</c>, <c>config check</c> and the defaults report.</summary>
/// <param name="OnnxRuntimeVersion">Native library version, or <see cref="OnnxRuntimeInfo.Unavailable"/>.</param>
/// <param name="Providers">Execution providers compiled into the library (not necessarily usable).</param>
/// <param name="Error">Why the library could not be loaded; null when it was.</param>
/// <param name="Usability">Whether each GPU provider really runs here, per device, with what is missing (checked in the worker); null when not checked.</param>
public sealed record RuntimeDescription(string OnnxRuntimeVersion, IReadOnlyList<string> Providers, string? Error, ProviderUsabilityReport? Usability = null)
{
    /// <summary>What is reported when no worker could describe its runtime.</summary>
    public static RuntimeDescription Unknown(string error) => new(OnnxRuntimeInfo.Unavailable, [], error);

    /// <summary>The usability report, or one where only the CPU provider counts.</summary>
    public ProviderUsabilityReport UsabilityOrNone => Usability ?? ProviderUsabilityReport.None;
}
