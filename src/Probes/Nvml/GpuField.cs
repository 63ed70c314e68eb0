namespace BenchDaemon.Probes.Nvml;

/// <summary>Each NVML read the probe makes per GPU; NOT_SUPPORTED and failures are tracked per field.</summary>
internal enum GpuField
{
    Utilization,
    Memory,
    Power,
    Energy,
    ClockSm,
    ClockMemory,
    ClockGraphics,
    Temperature,
    ClockEvents,
    Violation,
    PerformanceState,
    Processes,
    PcieTransmit,
    PcieReceive,
    PcieLink,
    Ecc,
    RetiredPages,
    RemappedRows,
    XidEvents,
    Gpm,
    Nvlink,
    NvlinkThroughput,
    ProcessUtilization,
}
