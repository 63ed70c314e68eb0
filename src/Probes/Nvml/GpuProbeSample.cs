namespace BenchDaemon.Probes.Nvml;

/// <summary>The GPU probe's latest reading of every GPU.</summary>
/// <param name="Up">True while NVML is initialised and at least one GPU answers.</param>
/// <param name="Reason">Why the probe is down (no driver, init failure, no GPUs, all lost); null while up.</param>
/// <param name="Gpus">One entry per GPU, by index.</param>
public sealed record GpuProbeSample(bool Up, string? Reason, IReadOnlyList<GpuSample> Gpus)
{
    /// <summary>The reading of a probe that is switched off or has not run.</summary>
    public static GpuProbeSample Disabled { get; } = new(false, "the GPU probe is disabled (Probes:Gpu:Enabled=false)", []);

    /// <summary>
    /// NVML failures since the daemon started by reason (init_failed, not_supported, read_failed,
    /// gpu_lost); only reasons seen so far.
    /// </summary>
    public IReadOnlyDictionary<string, long> Errors { get; init; } = new Dictionary<string, long>();
}
