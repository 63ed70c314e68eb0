using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Inputs;
using BenchDaemon.Workloads.Models.Zoo;

namespace BenchDaemon.Workloads.Studies;

/// <summary>One cell a study will measure.</summary>
/// <param name="Canary">The canary that measures it (the same engine as scheduled canaries).</param>
/// <param name="Batch">Batch size.</param>
/// <param name="Configuration">
/// <c>optimised</c> (the measured configuration), <c>baseline</c> (the baseline configuration
/// of BSR, depth speed-up and the native precision baseline).
/// </param>
/// <param name="Mode">Pipeline study: <c>preprocess</c>, <c>inference</c> or <c>end-to-end</c>; otherwise <c>inference</c>.</param>
/// <param name="ImageSize">Pipeline study: the JPEG size class; otherwise null.</param>
/// <param name="Block">Depth study: the block stack; otherwise null.</param>
public sealed record StudyCellPlan(
    CanaryDefinition Canary,
    int Batch,
    string Configuration,
    string Mode,
    ImageSizeClass? ImageSize = null,
    BlockConfig? Block = null)
{
    /// <summary>The measured configuration.</summary>
    public const string Optimised = "optimised";

    /// <summary>The baseline configuration.</summary>
    public const string Baseline = "baseline";

    /// <summary>Pipeline: preprocessing stages alone.</summary>
    public const string PreprocessMode = "preprocess";

    /// <summary>Inference alone (bound inputs).</summary>
    public const string InferenceMode = "inference";

    /// <summary>Pipeline: decode → resize → crop → normalise → inference per call.</summary>
    public const string EndToEndMode = "end-to-end";
}
