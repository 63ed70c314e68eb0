namespace BenchDaemon.Probes.Nvml.Benchmark;

/// <summary>Cost of one probe operation on one GPU, in microseconds of wall time.</summary>
public sealed record GpuCost(string Operation, int Iterations, double MedianMicroseconds, double P99Microseconds, double MinMicroseconds, double MeanMicroseconds);
