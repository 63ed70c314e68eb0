namespace BenchDaemon.Probes.Linux;

/// <summary>CPU time of one logical CPU (the <c>cpuN</c> lines of <c>/proc/stat</c>).</summary>
public sealed record CpuCoreTimes(int Cpu, CpuTimes Times);
