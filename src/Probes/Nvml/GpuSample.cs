namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// One reading of one GPU. Fields the GPU does not support are null (or empty) and are
/// omitted from the exports. A lost GPU keeps its identity with <see cref="Up"/> false and nothing else.
/// </summary>
/// <param name="Identity">Index, UUID, name and the rest of the info metric.</param>
/// <param name="Up">False after NVML reported the GPU lost.</param>
/// <param name="EnergySource"><c>counter</c> (NVML's energy counter) or <c>power_integration</c> (GPUs without it).</param>
/// <param name="Utilization">Share of the last sample period during which a kernel was running (0–1).</param>
/// <param name="MemoryUtilization">Share of the last sample period during which memory was read or written (0–1).</param>
/// <param name="MemoryUsedBytes">Framebuffer memory in use, bytes.</param>
/// <param name="MemoryFreeBytes">Framebuffer memory free, bytes.</param>
/// <param name="MemoryReservedBytes">Memory the driver reserves, bytes (drivers from r510).</param>
/// <param name="PowerWatts">Power draw, watts (NVML reports milliwatts).</param>
/// <param name="EnergyJoules">Cumulative energy, joules (NVML counts millijoules), from the energy cadence.</param>
/// <param name="Clocks">Current clocks.</param>
/// <param name="MaxClocks">Maximum clocks.</param>
/// <param name="TemperatureCelsius">GPU core temperature.</param>
/// <param name="PerformanceState">P-state, 0 (P0, fastest) to 15.</param>
/// <param name="Pcie">PCIe throughput and link (slow cadence).</param>
/// <param name="Ecc">ECC and memory retirement state (slow cadence).</param>
/// <param name="Processes">Compute processes and their GPU memory.</param>
/// <param name="ClockEventReasons">Bit mask of active clock-event reasons (<see cref="GpuClockEvents"/>).</param>
/// <param name="ViolationSeconds">Cumulative seconds each policy held clocks down, by label (<see cref="GpuClockEvents.ViolationPolicies"/>).</param>
/// <param name="XidErrors">Xid critical errors seen since the probe started, by Xid code.</param>
/// <param name="Gpm">GPM profiling metrics over the last GPM interval (GPM cadence); null without GPM.</param>
/// <param name="Nvlinks">NVLink state and counters per link (slow cadence); null without NVLink.</param>
/// <param name="Mig">MIG devices and their GPU instance's memory, with MIG mode on; null otherwise.</param>
/// <param name="MigGpm">GPM metrics per GPU instance id (nvmlGpmMigSampleGet), with MIG mode on and GPM.</param>
public sealed record GpuSample(
    GpuIdentity Identity,
    bool Up,
    string EnergySource,
    double? Utilization = null,
    double? MemoryUtilization = null,
    long? MemoryUsedBytes = null,
    long? MemoryFreeBytes = null,
    long? MemoryReservedBytes = null,
    double? PowerWatts = null,
    double? EnergyJoules = null,
    GpuClocks? Clocks = null,
    GpuClocks? MaxClocks = null,
    double? TemperatureCelsius = null,
    ulong? ClockEventReasons = null,
    IReadOnlyDictionary<string, double>? ViolationSeconds = null,
    int? PerformanceState = null,
    GpuPcieSample? Pcie = null,
    GpuEccCounts? Ecc = null,
    IReadOnlyList<GpuProcessMemory>? Processes = null,
    IReadOnlyDictionary<long, long>? XidErrors = null,
    GpuGpmSample? Gpm = null,
    IReadOnlyList<GpuNvlinkSample>? Nvlinks = null,
    IReadOnlyList<GpuMigSample>? Mig = null,
    IReadOnlyDictionary<int, GpuGpmSample>? MigGpm = null)
{
    /// <summary>Names of the active clock-event reasons.</summary>
    public IReadOnlyList<string> ClockEventReasonNames => ClockEventReasons is { } bits ? GpuClockEvents.Names(bits) : [];
}
