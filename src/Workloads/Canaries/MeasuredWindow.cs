using System.Diagnostics;
using BenchDaemon.Probes;
using BenchDaemon.Probes.Nvml;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// The measured window every engine shares (docs/canaries.md, measurement protocol steps 3–5): warm-up
/// until latencies settle; then the measured loop, with the energy counters, the process's CPU
/// time and the GPUs' clocks read at its edges (clocks also on every probe tick in between); then
/// the statistics and the verdict. A call is any function that does one iteration and returns its
/// latency in seconds.
/// </summary>
public sealed class MeasuredWindow(IEnergyMeter? energyMeter = null, IGpuClockMonitor? clocks = null)
{
    private static readonly ActivitySource s_activities = new(CanaryRunner.ActivitySourceName);

    /// <summary>
    /// Warms up with <paramref name="warmupCall"/> (<paramref name="warmupDone"/> calls already
    /// happened since <paramref name="runStart"/>), then measures <paramref name="measuredCall"/>
    /// within the canary's budget, which counts from <paramref name="runStart"/>.
    /// </summary>
    /// <param name="canary">Its measurement settings, device and budget.</param>
    /// <param name="warmupCall">One warm-up iteration.</param>
    /// <param name="measuredCall">One measured iteration, returning its latency in seconds.</param>
    /// <param name="runStart">When the budget started counting (a <see cref="Stopwatch"/> timestamp).</param>
    /// <param name="warmupDone">Calls already made since <paramref name="runStart"/>.</param>
    /// <param name="cancellationToken">Ends the window early.</param>
    /// <param name="onMeasureStart">Called between warm-up and the measured loop.</param>
    public WindowMeasurement Measure(CanaryDefinition canary, Func<double> warmupCall, Func<double> measuredCall, long runStart, int warmupDone, CancellationToken cancellationToken, Action? onMeasureStart = null)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(warmupCall);
        ArgumentNullException.ThrowIfNull(measuredCall);
        int warmupIterations;
        bool warmupStable;
        using (s_activities.StartActivity("warmup"))
        {
            (warmupIterations, warmupStable) = MeasurementLoop.WarmUp(warmupCall, canary.Measure, runStart, warmupDone, cancellationToken);
        }

        onMeasureStart?.Invoke();
        using var measure = s_activities.StartActivity("measure");
        var window = StartClocks(canary.Device);
        List<double> samples;
        double windowSeconds, cpuSeconds;
        IReadOnlyList<EnergyCounter>? before, after;
        IReadOnlyList<GpuClockWindowSummary>? gpus;
        try
        {
            before = energyMeter?.ReadEnergy();
            var cpuBefore = ProcessCpu();
            samples = MeasurementLoop.Measure(measuredCall, canary.Measure, runStart, out windowSeconds, cancellationToken);
            cpuSeconds = (ProcessCpu() - cpuBefore).TotalSeconds;
            after = energyMeter?.ReadEnergy();
        }
        finally
        {
            // Stopped on every path: an open window is fed by every probe tick.
            gpus = window?.Stop();
        }

        var statistics = LatencyStatistics.From(samples);
        var (status, reason, code) = Judge(statistics, canary.Measure, samples.Count, warmupStable, windowSeconds);
        return new WindowMeasurement(samples, statistics, warmupIterations, warmupStable, windowSeconds, cpuSeconds, before, after, gpus, status, reason, code);
    }

    /// <summary>The verdict on a measured window: <c>ok</c> when its estimate is precise, or <c>unstable</c> with the reason (<see cref="RunValidity"/>).</summary>
    public static (CanaryStatus Status, string? Reason, string? ReasonCode) Judge(LatencyStatistics stats, MeasureOptions measure, int iterations, bool warmupStable, double windowSeconds) =>
        RunValidity.Judge(stats, measure, iterations, warmupStable, windowSeconds);

    /// <summary>
    /// Energy of every counter over the window, and joules per sample of the counters that belong
    /// to the canary's device: CPU package and DRAM for every canary, plus its own GPU for a GPU
    /// canary. A CPU canary on a GPU server does not pay for the idle GPUs (they stay in the
    /// per-counter energy); where none of its counters is readable its joules per sample is null,
    /// never a number from another device.
    /// </summary>
    public static (IReadOnlyDictionary<string, double>? Energy, double? PerSample) EnergyDelta(IReadOnlyList<EnergyCounter>? before, IReadOnlyList<EnergyCounter>? after, long samples, DeviceRef device = default)
    {
        if (before is null || after is null || before.Count == 0)
        {
            return (null, null);
        }

        var energy = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var end in after)
        {
            var start = before.FirstOrDefault(b => b.Domain == end.Domain);
            if (start is not null)
            {
                energy[end.Domain] = end.Joules - start.Joules;
            }
        }

        // Sub-zones (core, uncore) and psys overlap the package counters; package + DRAM (+ the GPU) do not.
        var own = device.ToString();
        var counted = energy.Where(e => IsAdditive(e.Key) && (!IsGpuDomain(e.Key) || e.Key == own)).ToList();
        return (energy, counted.Count > 0 && samples > 0 ? counted.Sum(e => e.Value) / samples : null);
    }

    /// <summary>CPU time of this process (user and system).</summary>
    public static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>A per-GPU map (<c>gpu:N</c> → value) of what the window saw; null when empty.</summary>
    internal static SortedDictionary<string, T>? GpuMap<T>(IReadOnlyList<GpuClockWindowSummary>? gpus, Func<GpuClockWindowSummary, T?> value)
        where T : class =>
        GpuMap(from gpu in gpus ?? [] let v = value(gpu) where v is not null select (gpu.Index, v));

    /// <inheritdoc cref="GpuMap{T}(IReadOnlyList{GpuClockWindowSummary}?, Func{GpuClockWindowSummary, T})"/>
    internal static SortedDictionary<string, double>? GpuMap(IReadOnlyList<GpuClockWindowSummary>? gpus, Func<GpuClockWindowSummary, double?> value) =>
        GpuMap(from gpu in gpus ?? [] let v = value(gpu) where v is not null select (gpu.Index, v.Value));

    private static SortedDictionary<string, T>? GpuMap<T>(IEnumerable<(int Gpu, T Value)> values)
    {
        var map = new SortedDictionary<string, T>(StringComparer.Ordinal);
        foreach (var (gpu, value) in values)
        {
            map[DeviceRef.Gpu(gpu).ToString()] = value;
        }

        return map.Count > 0 ? map : null;
    }

    // A GPU canary watches its own GPU; a CPU canary every GPU, like the energy counters, so the
    // result shows what the GPUs did meanwhile.
    private GpuClockWindow? StartClocks(DeviceRef device) =>
        clocks is null ? null
        : device.GpuIndex is { } index ? clocks.StartWindow([index])
        : clocks.StartWindow();

    private static bool IsGpuDomain(string domain) => domain.StartsWith(DeviceRef.GpuPrefix, StringComparison.Ordinal);

    private static bool IsAdditive(string domain) =>
        domain.StartsWith("cpu:package-", StringComparison.Ordinal)
        || domain.StartsWith("cpu:dram", StringComparison.Ordinal)
        || IsGpuDomain(domain);
}
