namespace BenchDaemon.Probes.Linux;

/// <summary>Failed reads of one host source for one reason since the probe started.</summary>
/// <param name="Source">stat, meminfo, loadavg, pressure or rapl.</param>
/// <param name="Reason">missing, unreadable or malformed.</param>
/// <param name="Count">Failed reads (one per tick while it fails).</param>
public sealed record HostProbeError(string Source, string Reason, long Count);
