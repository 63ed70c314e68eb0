using BenchDaemon.Probes.Linux;
using BenchDaemon.Probes.Nvml;

namespace BenchDaemon.Probes;

/// <summary>
/// The latest reading of every probe, replaced as a whole on each sampler tick so that a
/// reader (a scrape, an OTLP export, a canary guard) always sees one consistent sample and
/// never waits on I/O.
/// </summary>
/// <param name="Host">The host probe's sample.</param>
/// <param name="CpuUtilization">Busy share of all CPUs between this tick and the previous one (0..1); null on the first tick.</param>
/// <param name="SampleDuration">Wall time the tick took to read every probe.</param>
/// <param name="Sequence">Number of ticks so far (0 before the first).</param>
/// <param name="SelfCpuUtilization">Share of all CPUs this daemon itself used over the same interval (0..1); null on the first tick.</param>
/// <param name="SelfCpuSeconds">This daemon's cumulative CPU seconds at the tick.</param>
/// <param name="Gpu">The GPU probe's reading; null where no GPU probe ran.</param>
public sealed record ProbeSnapshot(HostSample Host, double? CpuUtilization, TimeSpan SampleDuration, long Sequence, double? SelfCpuUtilization = null, double? SelfCpuSeconds = null, GpuProbeSample? Gpu = null)
{
    /// <summary>The snapshot before the first tick.</summary>
    public static ProbeSnapshot Empty(DateTimeOffset timestamp) => new(HostSample.Empty(timestamp), null, TimeSpan.Zero, 0);

    /// <summary>Host CPU utilisation without this daemon's own share: what other work uses.</summary>
    public double? ForeignCpuUtilization => CpuUtilization is { } all ? Math.Max(0, all - (SelfCpuUtilization ?? 0)) : null;
}
