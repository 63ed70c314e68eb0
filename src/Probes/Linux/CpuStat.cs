namespace BenchDaemon.Probes.Linux;

/// <summary>One reading of <c>/proc/stat</c>: the all-CPU line and each logical CPU.</summary>
public sealed record CpuStat(CpuTimes Total, IReadOnlyList<CpuCoreTimes> Cores);
