namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// GPM metrics of one GPU (or one MIG GPU instance) averaged over the interval between two GPM
/// samples. A metric the driver does not report is absent.
/// </summary>
/// <param name="IntervalSeconds">Seconds between the two samples.</param>
/// <param name="Values">Ratios 0–1 for activities, bytes per second for traffic.</param>
public sealed record GpuGpmSample(double IntervalSeconds, IReadOnlyDictionary<GpuGpmMetric, double> Values)
{
    /// <summary>The value of <paramref name="metric"/>, or null when the driver did not report it.</summary>
    public double? Get(GpuGpmMetric metric) => Values.TryGetValue(metric, out var value) ? value : null;

    /// <summary>True for metrics NVML reports in MiB/s (converted to bytes per second), false for percentages.</summary>
    public static bool IsRate(GpuGpmMetric metric) => metric is GpuGpmMetric.PcieTransmit or GpuGpmMetric.PcieReceive or GpuGpmMetric.NvlinkReceive or GpuGpmMetric.NvlinkTransmit;
}
