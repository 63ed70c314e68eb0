namespace BenchDaemon.Probes.Linux;

/// <summary>Load averages and task counts from <c>/proc/loadavg</c>.</summary>
public sealed record LoadAverage(double Load1, double Load5, double Load15, int RunnableTasks, int Tasks);
