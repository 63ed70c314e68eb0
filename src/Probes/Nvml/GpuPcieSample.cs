namespace BenchDaemon.Probes.Nvml;

/// <summary>PCIe state of one GPU, read on the slow cadence; null parts where not supported.</summary>
/// <param name="TransmitBytesPerSecond">TX throughput over NVML's 20 ms sample, bytes per second.</param>
/// <param name="ReceiveBytesPerSecond">RX throughput, bytes per second.</param>
/// <param name="LinkGeneration">Current PCIe generation (links step down when idle).</param>
/// <param name="LinkMaxGeneration">Highest generation of GPU and slot.</param>
/// <param name="LinkWidth">Current lanes.</param>
/// <param name="LinkMaxWidth">Maximum lanes.</param>
public sealed record GpuPcieSample(
    double? TransmitBytesPerSecond,
    double? ReceiveBytesPerSecond,
    int? LinkGeneration,
    int? LinkMaxGeneration,
    int? LinkWidth,
    int? LinkMaxWidth);
