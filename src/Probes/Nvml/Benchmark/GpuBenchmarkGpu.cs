namespace BenchDaemon.Probes.Nvml.Benchmark;

/// <summary>The probe's costs on one GPU.</summary>
public sealed record GpuBenchmarkGpu(int Index, string Uuid, string Name, IReadOnlyList<GpuCost> Costs);
