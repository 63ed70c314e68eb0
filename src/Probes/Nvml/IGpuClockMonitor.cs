namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// For the workload side: clocks and clock-event (throttle) reasons of GPUs over a run window.
/// Energy of the window comes from <see cref="IEnergyMeter"/> (<c>gpu:N</c> domains).
/// </summary>
public interface IGpuClockMonitor
{
    /// <summary>
    /// Reads the SM clock and clock-event reasons of <paramref name="gpuIndexes"/> (every known GPU
    /// when null) now and keeps watching them on every probe tick until <see cref="GpuClockWindow.Stop"/>.
    /// </summary>
    GpuClockWindow StartWindow(IReadOnlyCollection<int>? gpuIndexes = null);
}
