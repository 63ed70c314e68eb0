namespace BenchDaemon.Scheduling;

/// <summary>What the GPU guards need to know about one GPU.</summary>
/// <param name="Utilization">Share of the last sample period a kernel was running (0–1).</param>
/// <param name="ForeignComputeProcesses">Compute processes on the GPU other than this daemon.</param>
/// <param name="ThermalThrottling">True while a software or hardware thermal slowdown is active.</param>
public sealed record GpuStatus(double Utilization, int ForeignComputeProcesses, bool ThermalThrottling);
