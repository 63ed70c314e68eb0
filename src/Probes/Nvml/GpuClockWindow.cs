namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// Clock state of some GPUs over a workload window: opened by <see cref="IGpuClockMonitor.StartWindow"/>
/// (which reads clocks and clock-event reasons at once), fed by every probe tick while open, and
/// closed by <see cref="Stop"/> (which reads them once more).
/// </summary>
public sealed class GpuClockWindow
{
    private readonly Action<GpuClockWindow> _stop;
    private readonly Dictionary<int, Accumulator> _gpus = [];
    private readonly Lock _lock = new();
    private readonly Dictionary<int, GpuGpmSample> _gpm = [];
    private IReadOnlyList<GpuClockWindowSummary>? _summary;

    internal GpuClockWindow(IEnumerable<(int Index, string Uuid)> gpus, Action<GpuClockWindow> stop)
    {
        _stop = stop;
        foreach (var (index, uuid) in gpus)
        {
            _gpus[index] = new Accumulator(uuid);
        }
    }

    /// <summary>A window over no GPU (no probe, or a CPU workload): stops to an empty list.</summary>
    public static GpuClockWindow Empty() => new([], _ => { });

    /// <summary>GPM readers opened at the window's start, one per GPU with GPM; the probe closes them at its end.</summary>
    internal Dictionary<int, GpuGpmReader> GpmReaders { get; } = [];

    /// <summary>The NVML session the readers belong to: after a re-initialisation their buffers are gone.</summary>
    internal object? GpmSession { get; set; }

    /// <summary>Records the GPM metrics of GPU <paramref name="index"/> over the window.</summary>
    internal void SetGpm(int index, GpuGpmSample sample)
    {
        lock (_lock)
        {
            _gpm[index] = sample;
        }
    }

    /// <summary>The GPU indexes the window watches.</summary>
    public IReadOnlyCollection<int> Gpus => _gpus.Keys;

    /// <summary>Adds one reading of GPU <paramref name="index"/>.</summary>
    internal void Observe(int index, double? smHertz, ulong? reasons, long? memoryUsed = null)
    {
        lock (_lock)
        {
            if (_summary is null && _gpus.TryGetValue(index, out var gpu))
            {
                gpu.Add(smHertz, reasons, memoryUsed);
            }
        }
    }

    /// <summary>Reads the clocks a last time and returns what the window saw per GPU. Further calls return the same.</summary>
    public IReadOnlyList<GpuClockWindowSummary> Stop()
    {
        if (_summary is not null)
        {
            return _summary;
        }

        _stop(this);
        lock (_lock)
        {
            _summary ??= [.. _gpus.OrderBy(g => g.Key).Select(g => g.Value.Summary(g.Key) with { Gpm = _gpm.GetValueOrDefault(g.Key) })];
            return _summary;
        }
    }

    private sealed class Accumulator(string uuid)
    {
        private ulong _reasons;
        private bool _anyReasons;
        private double _smSum;
        private double _smMin = double.PositiveInfinity;
        private int _smCount;
        private int _samples;
        private long? _memoryMax;

        public void Add(double? smHertz, ulong? reasons, long? memoryUsed)
        {
            _samples++;
            if (memoryUsed is { } used)
            {
                _memoryMax = Math.Max(_memoryMax ?? 0, used);
            }

            if (reasons is { } bits)
            {
                _reasons |= bits;
                _anyReasons = true;
            }

            if (smHertz is { } hz)
            {
                _smSum += hz;
                _smMin = Math.Min(_smMin, hz);
                _smCount++;
            }
        }

        public GpuClockWindowSummary Summary(int index) => new(
            index,
            uuid,
            _anyReasons ? GpuClockEvents.Names(_reasons) : null,
            _smCount > 0 ? _smSum / _smCount : null,
            _smCount > 0 ? _smMin : null,
            _samples)
        {
            MemoryUsedMaxBytes = _memoryMax,
        };
    }
}
