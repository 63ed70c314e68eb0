namespace BenchDaemon.Probes.Nvml;

/// <summary>Clock frequencies of one GPU in hertz; null where the GPU does not report one.</summary>
public sealed record GpuClocks(double? SmHertz, double? MemoryHertz, double? GraphicsHertz);
