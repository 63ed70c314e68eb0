namespace BenchDaemon.Probes.Nvml.Benchmark;

/// <summary>The outcome of <see cref="GpuProbeBenchmark.Run"/>: per-GPU costs, or why the probe is down.</summary>
public sealed record GpuBenchmarkResult(bool Up, string? Reason, IReadOnlyList<GpuBenchmarkGpu> Gpus);
