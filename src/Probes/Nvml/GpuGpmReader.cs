namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// GPM of one GPU or one MIG GPU instance: two NVML sample buffers, taken in turn, and the metrics
/// computed between the last two. NVML needs the two samples more than 100 ms apart ("due to the
/// internal sample refresh rate", nvml.h at nvmlGpmMetricsGet); a sample closer than that to the
/// previous one is dropped and the interval keeps growing. The buffers are plain handles freed by
/// <see cref="Dispose"/>, which the probe calls before nvmlShutdown (an order a finalizer could not keep).
/// </summary>
internal sealed unsafe class GpuGpmReader : IDisposable
{
    /// <summary>NVML's shortest interval between the two samples of one metrics computation.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);

    private static readonly GpuGpmMetric[] s_metrics = Enum.GetValues<GpuGpmMetric>();

    private readonly nint _device;
    private readonly uint? _gpuInstance;
    private readonly Lock _lock = new();
    private nint _previous;
    private nint _current;
    private long _previousTimestamp;
    private bool _hasPrevious;
    private bool _disposed;

    private GpuGpmReader(nint device, uint? gpuInstance, nint first, nint second)
    {
        _device = device;
        _gpuInstance = gpuInstance;
        _previous = first;
        _current = second;
    }

    /// <summary>Metrics this reader's driver answered with an error, each reported once through the callback.</summary>
    public HashSet<GpuGpmMetric> Unsupported { get; } = [];

    /// <summary>
    /// Asks NVML whether <paramref name="device"/> supports GPM; FUNCTION_NOT_FOUND from a driver without the
    /// GPM entry points, NOT_SUPPORTED from a GPU older than Hopper.
    /// </summary>
    public static NvmlReturn QuerySupport(nint device)
    {
        var support = new NvmlGpmSupport { Version = NvmlGpmSupport.CurrentVersion };
        var query = &support;
        var code = NvmlErrors.CallOptional(() => NvmlNative.nvmlGpmQueryDeviceSupport(device, query));
        return code == NvmlReturn.Success && support.IsSupportedDevice == 0 ? NvmlReturn.NotSupported : code;
    }

    /// <summary>Allocates the two sample buffers; <paramref name="gpuInstance"/> reads one MIG GPU instance of a parent GPU.</summary>
    public static NvmlReturn TryCreate(nint device, uint? gpuInstance, out GpuGpmReader? reader)
    {
        reader = null;
        nint first = 0, second = 0;
        var firstSample = &first;
        var code = NvmlErrors.CallOptional(() => NvmlNative.nvmlGpmSampleAlloc(firstSample));
        if (code == NvmlReturn.Success)
        {
            code = NvmlNative.nvmlGpmSampleAlloc(&second);
        }

        if (code != NvmlReturn.Success)
        {
            Free(first);
            Free(second);
            return code;
        }

        reader = new GpuGpmReader(device, gpuInstance, first, second);
        return NvmlReturn.Success;
    }

    /// <summary>
    /// Takes a sample now and, when a previous one is at least <see cref="MinimumInterval"/> old, computes
    /// the metrics between them. Returns NVML's code for the sample and the metrics (null on the first call,
    /// within 100 ms of the previous sample, or on an error).
    /// </summary>
    public (NvmlReturn Code, GpuGpmSample? Sample) Sample(long timestamp, double frequency, Action<GpuGpmMetric, NvmlReturn> unsupported)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return (NvmlReturn.Uninitialized, null);
            }

            var code = Take(_current);
            if (code != NvmlReturn.Success)
            {
                return (code, null);
            }

            if (!_hasPrevious)
            {
                (_previous, _current, _previousTimestamp, _hasPrevious) = (_current, _previous, timestamp, true);
                return (code, null);
            }

            var seconds = (timestamp - _previousTimestamp) / frequency;
            if (seconds < MinimumInterval.TotalSeconds)
            {
                // Too close to the previous sample for NVML: keep the older one as the start of the interval.
                return (code, null);
            }

            var (metricsCode, values) = Metrics(_previous, _current, unsupported);
            (_previous, _current, _previousTimestamp) = (_current, _previous, timestamp);
            return metricsCode == NvmlReturn.Success ? (code, new GpuGpmSample(seconds, values)) : (metricsCode, null);
        }
    }

    private NvmlReturn Take(nint sample) => _gpuInstance is { } gi
        ? NvmlNative.nvmlGpmMigSampleGet(_device, gi, sample)
        : NvmlNative.nvmlGpmSampleGet(_device, sample);

    private (NvmlReturn Code, Dictionary<GpuGpmMetric, double> Values) Metrics(nint first, nint second, Action<GpuGpmMetric, NvmlReturn> unsupported)
    {
        // 13 KB on the stack: the newest header's array, of which only the first entries are used.
        NvmlGpmMetricsGet get = default;
        get.Version = NvmlGpmMetricsGet.CurrentVersion;
        get.Sample1 = first;
        get.Sample2 = second;
        var count = 0;
        foreach (var metric in s_metrics)
        {
            if (!Unsupported.Contains(metric))
            {
                var entry = get.Metric(count++);
                *entry = default;
                entry->MetricId = (uint)metric;
            }
        }

        // Never more entries than the oldest header's array holds: its driver reads numMetrics of them.
        get.NumMetrics = (uint)Math.Min(count, NvmlGpmMetricsGet.OldestMaxMetrics);
        var values = new Dictionary<GpuGpmMetric, double>(count);
        if (count == 0)
        {
            return (NvmlReturn.Success, values);
        }

        var code = NvmlNative.nvmlGpmMetricsGet(&get);
        if (code != NvmlReturn.Success)
        {
            return (code, values);
        }

        for (var i = 0; i < count; i++)
        {
            var entry = get.Metric(i);
            var metric = (GpuGpmMetric)entry->MetricId;
            if (entry->Return == NvmlReturn.Success && double.IsFinite(entry->Value))
            {
                // Percent to ratio; MiB/s to bytes per second.
                values[metric] = GpuGpmSample.IsRate(metric) ? entry->Value * 1024 * 1024 : entry->Value / 100.0;
            }
            else if (entry->Return != NvmlReturn.Success && Unsupported.Add(metric))
            {
                unsupported(metric, entry->Return);
            }
        }

        return (NvmlReturn.Success, values);
    }

    private static void Free(nint sample)
    {
        if (sample != 0)
        {
            _ = NvmlNative.nvmlGpmSampleFree(sample);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Free(_previous);
            Free(_current);
            _previous = _current = 0;
        }
    }
}
