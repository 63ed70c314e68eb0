using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// The NVML GPU probe. <see cref="Sample"/> is the 1 s tick (utilisation, memory, power,
/// clocks, temperature, clock events, performance state, processes, Xid events);
/// <see cref="SampleEnergy"/> (with the clock-event times) and <see cref="SampleSlow"/> (PCIe, ECC, retired/remapped memory)
/// run on their own cadences (<see cref="GpuSampler"/>) because their NVML calls take
/// milliseconds. No driver, an initialisation failure, no GPUs or every GPU lost leave the
/// probe down with a reason, retried on a back-off by <see cref="RetryIfDue"/>; nothing here throws.
/// </summary>
public sealed class GpuProbe : IGpuInventory, IGpuClockMonitor, IDisposable
{
    private const string AllLost = "every GPU is lost (NVML_ERROR_GPU_IS_LOST)";

    private readonly GpuProbeOptions _options;
    private readonly string _procRoot;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<GpuProbe> _logger;
    // Readers: every sampling path. Writer: initialisation and shutdown.
    private readonly ReaderWriterLockSlim _lifecycle = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _windowsLock = new();
    private readonly List<GpuClockWindow> _windows = [];
    private readonly GpuErrorCounts _errors = new();
    private NvmlSession? _session;
    private GpuDevice[] _devices = [];
    private nint _eventSet;
    private string? _downReason;
    private bool _attempted;
    private TimeSpan _retryDelay;
    private DateTimeOffset _nextRetry;
    private bool _disposed;
    private int _disposeStarted;

    public GpuProbe(IOptions<ProbeOptions> options, TimeProvider timeProvider, ILogger<GpuProbe> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.Gpu ?? new GpuProbeOptions();
        _procRoot = options.Value.ProcRoot;
        _timeProvider = timeProvider;
        _logger = logger;
        _retryDelay = _options.RetryInitial;
        _downReason = _options.Enabled ? "not initialised yet" : GpuProbeSample.Disabled.Reason;
    }

    /// <summary>True while NVML is initialised and at least one GPU answers.</summary>
    public bool IsUp
    {
        get
        {
            _lifecycle.EnterReadLock();
            try
            {
                return _session is not null && _devices.Any(d => !d.Lost);
            }
            finally
            {
                _lifecycle.ExitReadLock();
            }
        }
    }

    /// <summary>Why the probe is down; null while it is up.</summary>
    public string? DownReason => Volatile.Read(ref _downReason);

    /// <summary>The configured energy cadence.</summary>
    public TimeSpan EnergyInterval => _options.EnergyInterval;

    /// <summary>The configured PCIe cadence.</summary>
    public TimeSpan PcieInterval => _options.PcieInterval;

    /// <summary>The configured GPM cadence: each GPM sample closes the interval the previous one opened.</summary>
    public TimeSpan GpmInterval => _options.GpmInterval;

    /// <inheritdoc />
    public IReadOnlyList<GpuIdentity> Gpus
    {
        get
        {
            _lifecycle.EnterReadLock();
            try
            {
                return _session is null ? [] : [.. _devices.Select(d => d.Identity)];
            }
            finally
            {
                _lifecycle.ExitReadLock();
            }
        }
    }

    /// <summary>Initialises NVML the first time (the host's start-up, or the first sample of a one-shot command).</summary>
    public void Start()
    {
        if (!_options.Enabled)
        {
            return;
        }

        _lifecycle.EnterWriteLock();
        try
        {
            if (_attempted || _disposed)
            {
                return;
            }

            InitializeLocked();
        }
        finally
        {
            _lifecycle.ExitWriteLock();
        }
    }

    // One-shot commands (probe, once) never start the host: the first use initialises.
    private void EnsureStarted()
    {
        if (!Volatile.Read(ref _attempted))
        {
            Start();
        }
    }

    /// <summary>Re-initialises NVML when the probe is down and the back-off has passed; true when it tried.</summary>
    public bool RetryIfDue()
    {
        if (!_options.Enabled || _disposed)
        {
            return false;
        }

        _lifecycle.EnterUpgradeableReadLock();
        try
        {
            var up = _session is not null && _devices.Any(d => !d.Lost);
            if (up || (_attempted && _timeProvider.GetUtcNow() < _nextRetry))
            {
                return false;
            }

            _lifecycle.EnterWriteLock();
            try
            {
                ShutdownLocked();
                InitializeLocked();
                return true;
            }
            finally
            {
                _lifecycle.ExitWriteLock();
            }
        }
        finally
        {
            _lifecycle.ExitUpgradeableReadLock();
        }
    }

    private void InitializeLocked()
    {
        _attempted = true;
        NvmlSession? session = null;
        try
        {
            session = NvmlSession.Open(_options.LibraryPath);
            var count = NvmlSession.DeviceCount();
            if (count == 0)
            {
                session.Dispose();
                _errors.Add(GpuErrorCounts.InitFailed);
                Down("NVML found no GPUs");
                return;
            }

            var driver = NvmlSession.DriverVersion();
            var cuda = NvmlSession.CudaDriverVersion();
            var devices = new List<GpuDevice>(count);
            for (var i = 0; i < count; i++)
            {
                var code = NvmlSession.TryGetHandle(i, out var handle);
                if (code != NvmlReturn.Success)
                {
                    Log.HandleFailed(_logger, i, NvmlErrors.Describe(code));
                    continue;
                }

                devices.Add(GpuDevice.Create(i, handle, driver, cuda, _logger, _errors, _procRoot, _options.ProcessLimit));
            }

            if (devices.Count == 0)
            {
                session.Dispose();
                _errors.Add(GpuErrorCounts.InitFailed);
                Down($"none of the {count} GPUs NVML lists could be opened");
                return;
            }

            if (devices.All(d => d.Lost))
            {
                // Retried while every GPU is still lost: stay down with the same reason (logged at
                // debug level), rather than report the probe up with GPUs that cannot answer.
                session.Dispose();
                Down(AllLost);
                return;
            }

            _session = session;
            _devices = [.. devices];
            _eventSet = RegisterXidEvents(_devices);
            _retryDelay = _options.RetryInitial;
            Volatile.Write(ref _downReason, null);
            var list = string.Join("; ", devices.Select(d => $"{d.Identity.Index}: {d.Identity.Name} {d.Identity.Uuid}"));
            Log.ProbeUp(_logger, session.LibraryPath, driver, cuda, devices.Count, list);
        }
        catch (NvmlException ex)
        {
            session?.Dispose();
            _errors.Add(GpuErrorCounts.InitFailed);
            Down(ex.Message);
        }
    }

    private static unsafe nint RegisterXidEvents(GpuDevice[] devices)
    {
        nint set;
        if (NvmlNative.nvmlEventSetCreate(&set) != NvmlReturn.Success)
        {
            foreach (var device in devices)
            {
                device.Check(GpuField.XidEvents, NvmlReturn.NotSupported);
            }

            return 0;
        }

        var any = false;
        foreach (var device in devices)
        {
            // Xid events need a supported GPU (not all consumer boards) and are per device.
            if (device.Check(GpuField.XidEvents, NvmlNative.nvmlDeviceRegisterEvents(device.Handle, NvmlNative.EventXidCriticalError, set)))
            {
                any = true;
            }
        }

        if (!any)
        {
            _ = NvmlNative.nvmlEventSetFree(set);
            return 0;
        }

        return set;
    }

    private void Down(string reason)
    {
        _session = null;
        _devices = [];
        _nextRetry = _timeProvider.GetUtcNow() + _retryDelay;
        // The same reason again (a machine without a driver retries for ever): debug only, so the
        // log carries one warning per change of state rather than one every RetryMax.
        var previous = Volatile.Read(ref _downReason);
        Volatile.Write(ref _downReason, reason);
        if (string.Equals(previous, reason, StringComparison.Ordinal))
        {
            Log.ProbeStillDown(_logger, reason, _retryDelay);
        }
        else
        {
            Log.ProbeDown(_logger, reason, _retryDelay);
        }

        _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, _options.RetryMax.Ticks));
    }

    private void ShutdownLocked()
    {
        if (_eventSet != 0)
        {
            _ = NvmlNative.nvmlEventSetFree(_eventSet);
            _eventSet = 0;
        }

        // GPM sample buffers are freed while NVML is still initialised.
        foreach (var device in _devices)
        {
            device.Dispose();
        }

        _session?.Dispose();
        _session = null;
        _devices = [];
    }

    /// <summary>
    /// The 1 s reading of every GPU. With <paramref name="initialize"/> the first call initialises
    /// NVML if nothing did yet; the daemon's sampler passes false and leaves that to <see cref="GpuSampler"/>,
    /// so NVML's start-up never delays the first host sample.
    /// </summary>
    public GpuProbeSample Sample(bool initialize = true)
    {
        if (!_options.Enabled)
        {
            return GpuProbeSample.Disabled;
        }

        if (initialize)
        {
            EnsureStarted();
        }

        GpuProbeSample sample;
        var allLost = false;
        _lifecycle.EnterReadLock();
        try
        {
            if (_session is null)
            {
                return new GpuProbeSample(false, DownReason, []) { Errors = _errors.Snapshot() };
            }

            DrainXidEvents();
            var timestamp = _timeProvider.GetTimestamp();
            var gpus = new GpuSample[_devices.Length];
            for (var i = 0; i < gpus.Length; i++)
            {
                gpus[i] = _devices[i].SampleFast(timestamp, _options.ProcessMetrics, _timeProvider.TimestampFrequency);
            }

            ObserveWindows(gpus);
            allLost = gpus.All(g => !g.Up);
            sample = new GpuProbeSample(!allLost, allLost ? AllLost : null, gpus) { Errors = _errors.Snapshot() };
        }
        finally
        {
            _lifecycle.ExitReadLock();
        }

        if (allLost)
        {
            _lifecycle.EnterWriteLock();
            try
            {
                if (_session is not null && _devices.All(d => d.Lost))
                {
                    ShutdownLocked();
                    Down(sample.Reason!);
                }
            }
            finally
            {
                _lifecycle.ExitWriteLock();
            }
        }

        return sample;
    }

    internal unsafe void DrainXidEvents()
    {
        if (_eventSet == 0)
        {
            return;
        }

        // A timeout of 0 returns at once: NVML_ERROR_TIMEOUT when nothing is queued. Bounded so a storm cannot stall the tick.
        for (var n = 0; n < 64; n++)
        {
            NvmlEventData data;
            var next = &data;
            var code = NvmlErrors.CallOptional(() => NvmlNative.nvmlEventSetWait_v2(_eventSet, next, 0));
            if (code != NvmlReturn.Success)
            {
                return;
            }

            if ((data.EventType & NvmlNative.EventXidCriticalError) != 0)
            {
                var handle = data.Device;
                foreach (var device in _devices)
                {
                    if (device.Handle == handle)
                    {
                        device.AddXid((long)data.EventData);
                    }
                }
            }
        }
    }

    private void ObserveWindows(GpuSample[] gpus)
    {
        lock (_windowsLock)
        {
            if (_windows.Count == 0)
            {
                return;
            }

            foreach (var window in _windows)
            {
                foreach (var gpu in gpus.Where(g => g.Up))
                {
                    window.Observe(gpu.Identity.Index, gpu.Clocks?.SmHertz, gpu.ClockEventReasons, gpu.MemoryUsedBytes);
                }
            }
        }
    }

    /// <summary>
    /// Reads every GPU's energy counter and cumulative clock-event times (the energy cadence; milliseconds per GPU)
    /// and, with process metrics, each process's SM utilisation and energy share.
    /// </summary>
    public void SampleEnergy()
    {
        _ = ReadEnergy();
        if (!_options.Enabled)
        {
            return;
        }

        _lifecycle.EnterReadLock();
        try
        {
            foreach (var device in _devices)
            {
                device.SampleViolations();
                if (_options.ProcessMetrics)
                {
                    device.SampleProcessUsage();
                }
            }
        }
        finally
        {
            _lifecycle.ExitReadLock();
        }
    }

    /// <summary>
    /// Every GPU's cumulative energy now, as <c>gpu:{index}</c> counters in joules: NVML's counter read
    /// fresh, or the power integral on GPUs without it. Empty while the probe is down.
    /// </summary>
    public IReadOnlyList<EnergyCounter> ReadEnergy()
    {
        if (!_options.Enabled)
        {
            return [];
        }

        EnsureStarted();
        _lifecycle.EnterReadLock();
        try
        {
            var counters = new List<EnergyCounter>(_devices.Length);
            foreach (var device in _devices)
            {
                if (device.ReadEnergy() is { } joules)
                {
                    counters.Add(new EnergyCounter("gpu:" + device.Identity.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), joules));
                }
            }

            return counters;
        }
        finally
        {
            _lifecycle.ExitReadLock();
        }
    }

    /// <summary>PCIe throughput and link, ECC and retired/remapped memory of every GPU (the slow cadence; tens of milliseconds per GPU).</summary>
    public void SampleSlow()
    {
        if (!_options.Enabled)
        {
            return;
        }

        _lifecycle.EnterReadLock();
        try
        {
            foreach (var device in _devices)
            {
                device.SampleSlow();
            }
        }
        finally
        {
            _lifecycle.ExitReadLock();
        }
    }

    /// <summary>
    /// Takes a GPM sample of every GPU that supports GPM and keeps the metrics since the previous sample
    /// (the GPM cadence, <c>Probes:Gpu:GpmInterval</c>). GPUs without GPM cost nothing here.
    /// </summary>
    public void SampleGpm()
    {
        if (!_options.Enabled)
        {
            return;
        }

        _lifecycle.EnterReadLock();
        try
        {
            var timestamp = _timeProvider.GetTimestamp();
            foreach (var device in _devices)
            {
                device.SampleGpm(timestamp, _timeProvider.TimestampFrequency);
            }
        }
        finally
        {
            _lifecycle.ExitReadLock();
        }
    }

    /// <inheritdoc />
    public GpuClockWindow StartWindow(IReadOnlyCollection<int>? gpuIndexes = null)
    {
        if (!_options.Enabled)
        {
            return GpuClockWindow.Empty();
        }

        EnsureStarted();
        _lifecycle.EnterReadLock();
        try
        {
            var devices = _devices.Where(d => !d.Lost && (gpuIndexes is null || gpuIndexes.Contains(d.Identity.Index))).ToList();
            if (devices.Count == 0)
            {
                return GpuClockWindow.Empty();
            }

            var window = new GpuClockWindow(devices.Select(d => (d.Identity.Index, d.Identity.Uuid)), StopWindow);
            ReadWindowEdge(window);
            var timestamp = _timeProvider.GetTimestamp();
            window.GpmSession = _session;
            foreach (var device in devices)
            {
                if (device.OpenGpmWindow(timestamp, _timeProvider.TimestampFrequency) is { } reader)
                {
                    window.GpmReaders[device.Identity.Index] = reader;
                }
            }

            lock (_windowsLock)
            {
                _windows.Add(window);
            }

            return window;
        }
        finally
        {
            _lifecycle.ExitReadLock();
        }
    }

    private void StopWindow(GpuClockWindow window)
    {
        lock (_windowsLock)
        {
            _windows.Remove(window);
        }

        _lifecycle.EnterReadLock();
        try
        {
            ReadWindowEdge(window);
            // The second GPM sample of each GPU closes the window's interval (NVML needs it 100 ms after the first).
            var timestamp = _timeProvider.GetTimestamp();
            var sameSession = _session is not null && ReferenceEquals(_session, window.GpmSession);
            foreach (var (index, reader) in window.GpmReaders)
            {
                // After a re-initialisation (GPU lost and back) the buffers died with the old session: neither used nor freed.
                if (sameSession)
                {
                    if (reader.Sample(timestamp, _timeProvider.TimestampFrequency, static (_, _) => { }).Sample is { } gpm)
                    {
                        window.SetGpm(index, gpm);
                    }

                    reader.Dispose();
                }
            }

            window.GpmReaders.Clear();
        }
        finally
        {
            _lifecycle.ExitReadLock();
        }
    }

    private void ReadWindowEdge(GpuClockWindow window)
    {
        foreach (var device in _devices.Where(d => window.Gpus.Contains(d.Identity.Index)))
        {
            var (sm, reasons) = device.ReadClockState();
            window.Observe(device.Identity.Index, sm, reasons, device.ReadMemoryUsed());
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> over the GPUs that answer, with whether process metrics are on and
    /// the probe's clock, under the lifecycle lock (starting the probe first); <paramref name="down"/>
    /// with the reason while the probe is down. For <see cref="Benchmark.GpuProbeBenchmark"/>.
    /// </summary>
    internal T WithLiveDevices<T>(Func<IReadOnlyList<GpuDevice>, bool, TimeProvider, T> read, Func<string?, T> down)
    {
        Start();
        _lifecycle.EnterReadLock();
        try
        {
            return _session is null ? down(DownReason) : read([.. _devices.Where(d => !d.Lost)], _options.ProcessMetrics, _timeProvider);
        }
        finally
        {
            _lifecycle.ExitReadLock();
        }
    }

    public void Dispose()
    {
        // The container disposes this once per registration (the probe, the inventory, the clock monitor).
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            return;
        }

        _lifecycle.EnterWriteLock();
        try
        {
            _disposed = true;
            ShutdownLocked();
        }
        finally
        {
            _lifecycle.ExitWriteLock();
        }
    }
}
