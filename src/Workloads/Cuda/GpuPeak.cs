using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// Theoretical peaks of one GPU model: dense (not sparse) operations per second per GEMM
/// precision, and memory bandwidth; with the document the figures come from.
/// </summary>
/// <param name="Model">The model as the datasheet names it.</param>
/// <param name="DeviceNames">Names the CUDA driver reports for it (compared ignoring case).</param>
/// <param name="FlopsPerSecond">Dense operations per second per precision; a precision the GPU lacks is absent.</param>
/// <param name="MemoryBytesPerSecond">Memory bandwidth, bytes per second.</param>
/// <param name="Source">The datasheet.</param>
public sealed record GpuPeak(
    string Model,
    IReadOnlyList<string> DeviceNames,
    IReadOnlyDictionary<Precision, double> FlopsPerSecond,
    double MemoryBytesPerSecond,
    string Source);
