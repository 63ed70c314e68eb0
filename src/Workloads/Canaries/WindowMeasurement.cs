using BenchDaemon.Probes;
using BenchDaemon.Probes.Nvml;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>What one measured window saw (<see cref="MeasuredWindow.Measure"/>).</summary>
/// <param name="Samples">Per-call latencies, seconds.</param>
/// <param name="Statistics">Their statistics.</param>
/// <param name="WarmupIterations">Calls of the warm-up, the calls before it included.</param>
/// <param name="WarmupStable">False when the warm-up hit its cap before latencies settled.</param>
/// <param name="WindowSeconds">Wall time of the measured loop.</param>
/// <param name="CpuSeconds">CPU time of the process during the loop.</param>
/// <param name="EnergyBefore">Energy counters read as the loop started; null without a meter.</param>
/// <param name="EnergyAfter">Energy counters read as it ended.</param>
/// <param name="GpuClocks">The GPUs' clocks and clock-event reasons over the loop; null without a GPU probe.</param>
/// <param name="Status">The verdict on the estimate.</param>
/// <param name="Reason">Why it is not ok (or a note), else null.</param>
/// <param name="ReasonCode">The bounded code of <paramref name="Reason"/>.</param>
public sealed record WindowMeasurement(
    List<double> Samples,
    LatencyStatistics Statistics,
    int WarmupIterations,
    bool WarmupStable,
    double WindowSeconds,
    double CpuSeconds,
    IReadOnlyList<EnergyCounter>? EnergyBefore,
    IReadOnlyList<EnergyCounter>? EnergyAfter,
    IReadOnlyList<GpuClockWindowSummary>? GpuClocks,
    CanaryStatus Status,
    string? Reason,
    string? ReasonCode)
{
    /// <summary>
    /// <paramref name="result"/> with what every canary reports from its window: verdict,
    /// iterations, latency statistics, throughput and energy per sample (a call processes
    /// <paramref name="samplesPerCall"/> samples), CPU time, energy per counter, GPU clocks, samples.
    /// </summary>
    public CanaryResult ApplyTo(CanaryResult result, int samplesPerCall, DeviceRef device)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (energy, perSample) = MeasuredWindow.EnergyDelta(EnergyBefore, EnergyAfter, Samples.Count * (long)samplesPerCall, device);
        return result with
        {
            Status = Status,
            Reason = Reason,
            ReasonCode = ReasonCode,
            Iterations = Samples.Count,
            WarmupIterations = WarmupIterations,
            WarmupStable = WarmupStable,
            LatencySeconds = Statistics,
            PerSampleLatencySeconds = Statistics.Mean / samplesPerCall,
            ThroughputSamplesPerSecond = Samples.Count * (double)samplesPerCall / Samples.Sum(),
            MeasureSeconds = WindowSeconds,
            ProcessCpuSeconds = CpuSeconds,
            EnergyJoules = energy,
            EnergyJoulesPerSample = perSample,
            GpuClockEventReasons = MeasuredWindow.GpuMap(GpuClocks, g => g.ClockEventReasons),
            GpuSmClockHertz = MeasuredWindow.GpuMap(GpuClocks, g => g.SmClockMeanHertz),
            GpuSmClockMinHertz = MeasuredWindow.GpuMap(GpuClocks, g => g.SmClockMinHertz),
            GpuMemoryPeakBytes = MeasuredWindow.GpuMap(GpuClocks, g => (double?)g.MemoryUsedMaxBytes),
            GpuSmActive = MeasuredWindow.GpuMap(GpuClocks, g => g.Gpm?.Get(GpuGpmMetric.SmActive)),
            GpuTensorActive = MeasuredWindow.GpuMap(GpuClocks, g => g.Gpm?.Get(GpuGpmMetric.TensorActive)),
            GpuHmmaTensorActive = MeasuredWindow.GpuMap(GpuClocks, g => g.Gpm?.Get(GpuGpmMetric.HmmaTensorActive)),
            GpuDramActive = MeasuredWindow.GpuMap(GpuClocks, g => g.Gpm?.Get(GpuGpmMetric.DramActive)),
            Samples = Samples,
        };
    }
}
