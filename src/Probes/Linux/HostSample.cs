namespace BenchDaemon.Probes.Linux;

/// <summary>
/// One sample of every host probe. A part that could not be read is <c>null</c> (or empty
/// for lists) so the rest still reaches the exporters.
/// </summary>
public sealed record HostSample(
    DateTimeOffset Timestamp,
    CpuStat? Cpu,
    MemInfo? Memory,
    LoadAverage? Load,
    IReadOnlyList<PressureStat> Pressure,
    IReadOnlyList<EnergyCounter> Energy)
{
    /// <summary>A sample with nothing in it (before the first tick).</summary>
    public static HostSample Empty(DateTimeOffset timestamp) => new(timestamp, null, null, null, [], []);

    /// <summary>
    /// Failed reads since the probe started by source (stat, meminfo, loadavg, pressure, rapl) and
    /// reason (missing, unreadable, malformed); only those seen so far.
    /// </summary>
    public IReadOnlyList<HostProbeError> Errors { get; init; } = [];
}
