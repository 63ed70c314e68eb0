namespace BenchDaemon.Probes.Nvml;

/// <summary>What one GPU's clocks did during a workload window.</summary>
/// <param name="Index">NVML index.</param>
/// <param name="Uuid">GPU UUID.</param>
/// <param name="ClockEventReasons">Every clock-event reason active at any reading in the window; null where the GPU does not report them.</param>
/// <param name="SmClockMeanHertz">Mean SM clock over the readings; null where not reported.</param>
/// <param name="SmClockMinHertz">Lowest SM clock read.</param>
/// <param name="Samples">Readings taken: the two window edges plus every probe tick in between.</param>
public sealed record GpuClockWindowSummary(int Index, string Uuid, IReadOnlyList<string>? ClockEventReasons, double? SmClockMeanHertz, double? SmClockMinHertz, int Samples)
{
    /// <summary>The most GPU memory in use (all processes) at any reading of the window, bytes; null where unreadable.</summary>
    public long? MemoryUsedMaxBytes { get; init; }

    /// <summary>
    /// GPM profiling metrics between a GPM sample at each edge of the window (Hopper and newer); null
    /// without GPM or for a window shorter than NVML's 100 ms between samples.
    /// </summary>
    public GpuGpmSample? Gpm { get; init; }
}
