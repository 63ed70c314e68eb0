namespace BenchDaemon.Probes.Nvml;

/// <summary>The outcome of <see cref="GpuProbe.Benchmark"/>: per-GPU costs, or why the probe is down.</summary>
public sealed record GpuBenchmarkResult(bool Up, string? Reason, IReadOnlyList<GpuBenchmarkGpu> Gpus);
