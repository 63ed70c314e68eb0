using BenchDaemon.Probes.Linux;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// One GPU of an NVML session: its handle, identity, the per-field NOT_SUPPORTED / failure
/// state (so each is logged once) and the values of the slow cadences. The fast tick, the
/// energy and PCIe loops and canary windows read it from different threads; each field set is
/// owned by one of them, energy by <see cref="_energyLock"/>.
/// </summary>
internal sealed unsafe class GpuDevice : IDisposable
{
    // NVML_VALUE_NOT_AVAILABLE for unsigned long long fields (per-process memory in containers, MIG).
    private const ulong ValueNotAvailable = ulong.MaxValue;

    private static readonly int s_fieldCount = Enum.GetValues<GpuField>().Length;

    private readonly ILogger _logger;
    private readonly GpuErrorCounts _errors;
    private readonly bool[] _unsupported = new bool[s_fieldCount];
    private readonly bool[] _failing = new bool[s_fieldCount];
    private readonly Lock _energyLock = new();
    private readonly RaplEnergyAccumulator _energyCounter = new();
    private readonly Dictionary<long, long> _xids = [];
    private readonly Dictionary<int, ProcessIdentity> _processIdentities = [];
    private readonly Lock _processLock = new();
    private readonly Dictionary<int, (double SmUtilization, double EnergyJoules)> _processUsage = [];
    private HashSet<int> _livePids = [];
    private NvmlProcessUtilizationSample[] _utilizationBuffer = new NvmlProcessUtilizationSample[32];
    private ulong _lastUtilizationTimestamp;
    private double? _lastProcessEnergy;
    private NvmlProcessInfo[] _processBuffer = new NvmlProcessInfo[32];
    private double? _energyJoules;
    private double _integratedJoules;
    private double? _lastPowerWatts;
    private long _lastPowerTimestamp;
    private volatile bool _lost;
    private volatile GpuPcieSample? _pcie;
    private volatile GpuEccCounts? _ecc;
    private volatile Dictionary<string, double>? _violations;
    private readonly bool[] _policyUnsupported = new bool[GpuClockEvents.ViolationPolicies.Count];
    private bool _useThrottleReasonsName;
    private GpuGpmReader? _gpmReader;
    private int[] _nvlinks = [];
    private readonly bool[] _nvlinkErrorUnsupported = new bool[GpuNvlinkSample.ErrorCounters.Count];
    private volatile IReadOnlyList<GpuNvlinkSample>? _nvlink;
    private readonly Lock _migLock = new();
    private readonly Dictionary<int, GpuGpmReader> _migGpmReaders = [];
    private volatile MigDevice[] _migDevices = [];
    private volatile Dictionary<int, GpuGpmSample>? _migGpm;
    private volatile GpuGpmSample? _gpm;

    public GpuDevice(nint handle, GpuIdentity identity, GpuClocks maxClocks, string procRoot, ILogger logger, GpuErrorCounts errors)
    {
        ProcRoot = procRoot;
        _errors = errors;
        Handle = handle;
        Identity = identity;
        MaxClocks = maxClocks;
        _logger = logger;
    }

    public nint Handle { get; }

    public GpuIdentity Identity { get; }

    public GpuClocks MaxClocks { get; }

    /// <summary>Root of the proc file system (<c>Probes:ProcRoot</c>), where process names and cgroups are read.</summary>
    public string ProcRoot { get; }

    /// <summary>Most compute processes reported per GPU with process metrics (those with the most memory).</summary>
    public int ProcessLimit { get; init; } = GpuProbeOptions.DefaultProcessLimit;

    public bool Lost => _lost;

    /// <summary><c>counter</c> or <c>power_integration</c>, decided once at initialisation.</summary>
    public string EnergySource { get; private set; } = "counter";

    /// <summary>Reads identity and maximum clocks of GPU <paramref name="index"/>.</summary>
    public static GpuDevice Create(int index, nint handle, string driver, string cuda, ILogger logger, GpuErrorCounts errors, string procRoot, int processLimit = GpuProbeOptions.DefaultProcessLimit)
    {
        var text = stackalloc byte[96];
        var name = NvmlNative.nvmlDeviceGetName(handle, text, 96) == NvmlReturn.Success ? NvmlSession.Text(text, 96) : "unknown";
        var uuidCode = NvmlNative.nvmlDeviceGetUUID(handle, text, 96);
        var uuid = uuidCode == NvmlReturn.Success ? NvmlSession.Text(text, 96) : $"unknown-{index}";
        NvmlPciInfo pci;
        var busId = NvmlNative.nvmlDeviceGetPciInfo_v3(handle, &pci) == NvmlReturn.Success ? NvmlSession.Text(pci.BusId, 32) : string.Empty;
        int major, minor;
        var capability = NvmlNative.nvmlDeviceGetCudaComputeCapability(handle, &major, &minor) == NvmlReturn.Success
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{major}.{minor}")
            : string.Empty;
        NvmlMemory memory;
        long total = NvmlNative.nvmlDeviceGetMemoryInfo(handle, &memory) == NvmlReturn.Success ? (long)memory.Total : 0;
        uint limit;
        double? limitWatts = NvmlNative.nvmlDeviceGetEnforcedPowerLimit(handle, &limit) == NvmlReturn.Success ? limit / 1000.0 : null;
        var identity = new GpuIdentity(index, uuid, name, busId, driver, cuda, capability, total, limitWatts);
        var max = new GpuClocks(MaxClock(handle, NvmlNative.ClockSm), MaxClock(handle, NvmlNative.ClockMemory), MaxClock(handle, NvmlNative.ClockGraphics));
        var device = new GpuDevice(handle, identity, max, procRoot, logger, errors) { ProcessLimit = processLimit };
        if (uuidCode == NvmlReturn.GpuIsLost)
        {
            // Still lost at a re-initialisation (no reset yet): the loss was logged and counted when it happened.
            device._lost = true;
            return device;
        }

        ulong energy;
        var code = NvmlNative.nvmlDeviceGetTotalEnergyConsumption(handle, &energy);
        if (NvmlErrors.Classify(code) == NvmlOutcome.NotSupported)
        {
            device.EnergySource = "power_integration";
            device._unsupported[(int)GpuField.Energy] = true;
            errors.Add(GpuErrorCounts.NotSupported);
            var why = NvmlErrors.Describe(code);
            Log.EnergyIntegrated(logger, index, uuid, why);
        }

        device.InitializeGpm();
        device.DiscoverNvlinks();
        device.DiscoverMig();
        return device;
    }

    // GPM needs Hopper or newer and a driver from r520. Anything else is one log line and nothing
    // more: not counted as a probe error, as a GPU without GPM is the common case, not a fault.
    private void InitializeGpm()
    {
        var code = GpuGpmReader.QuerySupport(Handle);
        if (code == NvmlReturn.Success)
        {
            code = GpuGpmReader.TryCreate(Handle, null, out _gpmReader);
        }

        if (code == NvmlReturn.GpuIsLost)
        {
            MarkLost();
        }
        else if (code != NvmlReturn.Success)
        {
            _unsupported[(int)GpuField.Gpm] = true;
            var why = NvmlErrors.Describe(code);
            Log.GpmUnavailable(_logger, Identity.Index, Identity.Uuid, why);
        }
    }

    // A GPU without NVLink (every PCIe board) answers NOT_SUPPORTED for link 0: no series, no log line,
    // as for MIG. Links are found once; a link that is down still answers, with state disabled.
    private void DiscoverNvlinks()
    {
        var links = new List<int>();
        for (var link = 0; link < NvmlNative.NvlinkMaxLinks; link++)
        {
            int active;
            var state = &active;
            var code = NvmlErrors.CallOptional(() => NvmlNative.nvmlDeviceGetNvLinkState(Handle, (uint)link, state));
            if (code == NvmlReturn.FunctionNotFound)
            {
                return;
            }

            if (code == NvmlReturn.Success)
            {
                links.Add(link);
            }
            else if (code == NvmlReturn.GpuIsLost)
            {
                MarkLost();
                return;
            }
            else if (link == 0 && code == NvmlReturn.NotSupported)
            {
                return;
            }
        }

        _nvlinks = [.. links];
    }

    /// <summary>NVLink state, data counters and error counters of every link (the slow cadence); null without NVLink.</summary>
    private List<GpuNvlinkSample>? ReadNvlinks()
    {
        if (_nvlinks.Length == 0 || _unsupported[(int)GpuField.Nvlink])
        {
            return null;
        }

        var links = _nvlinks;
        var result = new List<GpuNvlinkSample>(links.Length);
        // One nvmlDeviceGetFieldValues call for both directions of every link.
        var fields = new NvmlFieldValue[links.Length * 2];
        for (var i = 0; i < links.Length; i++)
        {
            fields[2 * i] = new NvmlFieldValue { FieldId = NvmlNative.FieldNvlinkThroughputDataTx, ScopeId = (uint)links[i] };
            fields[(2 * i) + 1] = new NvmlFieldValue { FieldId = NvmlNative.FieldNvlinkThroughputDataRx, ScopeId = (uint)links[i] };
        }

        var haveThroughput = false;
        if (!_unsupported[(int)GpuField.NvlinkThroughput])
        {
            NvmlReturn code;
            fixed (NvmlFieldValue* pinned = fields)
            {
                var values = pinned;
                code = NvmlErrors.CallOptional(() => NvmlNative.nvmlDeviceGetFieldValues(Handle, fields.Length, values));
            }

            haveThroughput = Check(GpuField.NvlinkThroughput, code);
        }

        for (var i = 0; i < links.Length; i++)
        {
            var link = links[i];
            int active;
            if (!Check(GpuField.Nvlink, NvmlNative.nvmlDeviceGetNvLinkState(Handle, (uint)link, &active)))
            {
                return null;
            }

            var errors = new Dictionary<string, long>(StringComparer.Ordinal);
            for (var c = 0; c < GpuNvlinkSample.ErrorCounters.Count; c++)
            {
                if (_nvlinkErrorUnsupported[c])
                {
                    continue;
                }

                var (name, counter) = GpuNvlinkSample.ErrorCounters[c];
                ulong value;
                var code = NvmlNative.nvmlDeviceGetNvLinkErrorCounter(Handle, (uint)link, counter, &value);
                if (code == NvmlReturn.Success)
                {
                    errors[name] = (long)value;
                }
                else if (NvmlErrors.Classify(code) == NvmlOutcome.NotSupported || code == NvmlReturn.InvalidArgument)
                {
                    // A counter this GPU's links do not keep (newer NVLink generations dropped some): stop asking.
                    _nvlinkErrorUnsupported[c] = true;
                }
            }

            result.Add(new GpuNvlinkSample(
                link,
                active == 1,
                haveThroughput ? FieldKibibytes(fields[2 * i]) : null,
                haveThroughput ? FieldKibibytes(fields[(2 * i) + 1]) : null,
                errors));
        }

        return result;
    }

    // The throughput counters are KiB; nvmlValue_t is a union read by its valueType.
    private static double? FieldKibibytes(in NvmlFieldValue field)
    {
        if (field.Return != NvmlReturn.Success)
        {
            return null;
        }

        double? value = field.ValueType switch
        {
            0 => BitConverter.UInt64BitsToDouble(field.Value),
            1 => (uint)field.Value,
            2 or 3 => field.Value,
            4 => (long)field.Value,
            5 => (int)(uint)field.Value,
            6 => (ushort)field.Value,
            _ => null,
        };
        return value * 1024;
    }

    private sealed record MigDevice(nint Handle, int GpuInstance, int ComputeInstance, string Uuid, string Profile);

    /// <summary>True while the GPU is in MIG mode (read only: the probe never changes it).</summary>
    public bool MigEnabled => _migDevices.Length > 0;

    /// <summary>
    /// Finds the MIG devices of a GPU in MIG mode (at initialisation and on the slow cadence, as
    /// instances come and go). A GPU without MIG, or with MIG off, has none: no series, no log line.
    /// </summary>
    public void DiscoverMig()
    {
        if (_lost)
        {
            return;
        }

        uint current, pending, max;
        var currentMode = &current;
        var pendingMode = &pending;
        var code = NvmlErrors.CallOptional(() => NvmlNative.nvmlDeviceGetMigMode(Handle, currentMode, pendingMode));
        if (code == NvmlReturn.FunctionNotFound)
        {
            return;
        }

        var devices = new List<MigDevice>();
        if (code == NvmlReturn.Success && current == NvmlNative.MigEnabled
            && NvmlNative.nvmlDeviceGetMaxMigDeviceCount(Handle, &max) == NvmlReturn.Success)
        {
            var text = stackalloc byte[96];
            for (var i = 0u; i < max; i++)
            {
                nint mig;
                uint gi, ci;
                // NOT_FOUND: no MIG device at this index (instances need not be contiguous).
                if (NvmlNative.nvmlDeviceGetMigDeviceHandleByIndex(Handle, i, &mig) != NvmlReturn.Success
                    || NvmlNative.nvmlDeviceGetGpuInstanceId(mig, &gi) != NvmlReturn.Success
                    || NvmlNative.nvmlDeviceGetComputeInstanceId(mig, &ci) != NvmlReturn.Success)
                {
                    continue;
                }

                var uuid = NvmlNative.nvmlDeviceGetUUID(mig, text, 96) == NvmlReturn.Success ? NvmlSession.Text(text, 96) : string.Empty;
                var name = NvmlNative.nvmlDeviceGetName(mig, text, 96) == NvmlReturn.Success ? NvmlSession.Text(text, 96) : string.Empty;
                devices.Add(new MigDevice(mig, (int)gi, (int)ci, uuid, GpuMigSample.ProfileOf(name)));
            }
        }
        else if (code == NvmlReturn.GpuIsLost)
        {
            MarkLost();
            return;
        }

        _migDevices = [.. devices.OrderBy(d => d.GpuInstance).ThenBy(d => d.ComputeInstance)];
        lock (_migLock)
        {
            var instances = devices.Select(d => d.GpuInstance).ToHashSet();
            foreach (var gone in _migGpmReaders.Keys.Where(gi => !instances.Contains(gi)).ToList())
            {
                _migGpmReaders[gone].Dispose();
                _migGpmReaders.Remove(gone);
            }

            // GPM per GPU instance, read through the parent (nvmlGpmMigSampleGet).
            if (_gpmReader is not null)
            {
                foreach (var gi in instances.Where(gi => !_migGpmReaders.ContainsKey(gi)))
                {
                    if (GpuGpmReader.TryCreate(Handle, (uint)gi, out var reader) == NvmlReturn.Success)
                    {
                        _migGpmReaders[gi] = reader!;
                    }
                }
            }
        }
    }

    private List<GpuMigSample>? ReadMig()
    {
        var devices = _migDevices;
        if (devices.Length == 0)
        {
            return null;
        }

        var result = new List<GpuMigSample>(devices.Length);
        foreach (var device in devices)
        {
            NvmlMemory memory;
            var ok = NvmlNative.nvmlDeviceGetMemoryInfo(device.Handle, &memory) == NvmlReturn.Success;
            result.Add(new GpuMigSample(device.GpuInstance, device.ComputeInstance, device.Uuid, device.Profile, ok ? (long)memory.Used : null, ok ? (long)memory.Total : null));
        }

        return result;
    }

    private void SampleMigGpm(long timestamp, double timestampFrequency)
    {
        lock (_migLock)
        {
            if (_migGpmReaders.Count == 0)
            {
                _migGpm = null;
                return;
            }

            var samples = new Dictionary<int, GpuGpmSample>(_migGpm ?? []);
            foreach (var gi in samples.Keys.Where(gi => !_migGpmReaders.ContainsKey(gi)).ToList())
            {
                samples.Remove(gi);
            }

            foreach (var (gi, reader) in _migGpmReaders)
            {
                var (code, sample) = reader.Sample(timestamp, timestampFrequency, GpmMetricUnsupported);
                if (Check(GpuField.Gpm, code) && sample is not null)
                {
                    samples[gi] = sample;
                }
            }

            _migGpm = samples;
        }
    }

    /// <summary>True when GPM samples are taken for this GPU.</summary>
    public bool HasGpm => _gpmReader is not null && !_unsupported[(int)GpuField.Gpm];

    /// <summary>Takes a GPM sample and keeps the metrics since the previous one (the GPM cadence).</summary>
    public void SampleGpm(long timestamp, double timestampFrequency)
    {
        if (_lost || _gpmReader is not { } reader || _unsupported[(int)GpuField.Gpm])
        {
            return;
        }

        var (code, sample) = reader.Sample(timestamp, timestampFrequency, GpmMetricUnsupported);
        if (Check(GpuField.Gpm, code) && sample is not null)
        {
            _gpm = sample;
        }

        SampleMigGpm(timestamp, timestampFrequency);
    }

    private void GpmMetricUnsupported(GpuGpmMetric metric, NvmlReturn code)
    {
        _errors.Add(GpuErrorCounts.NotSupported);
        var why = NvmlErrors.Describe(code);
        Log.GpmMetricNotSupported(_logger, Identity.Index, Identity.Uuid, metric, why);
    }

    /// <summary>
    /// A GPM reader of its own for a canary window, with its first sample taken now; null without GPM.
    /// Its metrics do not disturb the GPM cadence's, which keeps its own pair of samples.
    /// </summary>
    public GpuGpmReader? OpenGpmWindow(long timestamp, double frequency)
    {
        if (!HasGpm || _lost || GpuGpmReader.TryCreate(Handle, null, out var reader) != NvmlReturn.Success)
        {
            return null;
        }

        var (code, _) = reader!.Sample(timestamp, frequency, static (_, _) => { });
        if (code != NvmlReturn.Success)
        {
            reader.Dispose();
            return null;
        }

        return reader;
    }

    /// <summary>Frees the GPM sample buffers; called before nvmlShutdown.</summary>
    public void Dispose()
    {
        _gpmReader?.Dispose();
        lock (_migLock)
        {
            foreach (var reader in _migGpmReaders.Values)
            {
                reader.Dispose();
            }

            _migGpmReaders.Clear();
        }
    }

    private static double? MaxClock(nint handle, int type)
    {
        uint mhz;
        return NvmlNative.nvmlDeviceGetMaxClockInfo(handle, type, &mhz) == NvmlReturn.Success && mhz > 0 ? mhz * 1e6 : null;
    }

    /// <summary>Everything except energy and PCIe: the 1 s tick. A lost GPU returns only its identity.</summary>
    public GpuSample SampleFast(long timestamp, bool processNames, double timestampFrequency)
    {
        if (_lost)
        {
            return new GpuSample(Identity, Up: false, EnergySource);
        }

        var h = Handle;
        NvmlUtilization utilization;
        double? gpuUtil = null, memUtil = null;
        if (Check(GpuField.Utilization, NvmlNative.nvmlDeviceGetUtilizationRates(h, &utilization)))
        {
            gpuUtil = utilization.Gpu / 100.0;
            memUtil = utilization.Memory / 100.0;
        }

        var (used, free, reserved) = ReadMemory();

        uint milliwatts;
        double? power = Check(GpuField.Power, NvmlNative.nvmlDeviceGetPowerUsage(h, &milliwatts)) ? milliwatts / 1000.0 : null;
        if (EnergySource != "counter" && power is { } watts)
        {
            Integrate(watts, timestamp, timestampFrequency);
        }

        var clocks = new GpuClocks(Clock(GpuField.ClockSm, NvmlNative.ClockSm), Clock(GpuField.ClockMemory, NvmlNative.ClockMemory), Clock(GpuField.ClockGraphics, NvmlNative.ClockGraphics));

        uint celsius;
        double? temperature = Check(GpuField.Temperature, NvmlNative.nvmlDeviceGetTemperature(h, NvmlNative.TemperatureGpu, &celsius)) ? celsius : null;
        var reasons = ReadClockEvents();
        var violations = _violations;

        int pstate;
        int? performanceState = Check(GpuField.PerformanceState, NvmlNative.nvmlDeviceGetPerformanceState(h, &pstate)) && pstate is >= 0 and <= 15 ? pstate : null;
        var processes = ReadProcesses(processNames);

        if (_lost)
        {
            return new GpuSample(Identity, Up: false, EnergySource);
        }

        Dictionary<long, long>? xids;
        lock (_xids)
        {
            xids = _xids.Count > 0 ? new Dictionary<long, long>(_xids) : null;
        }

        return new GpuSample(
            Identity, Up: true, EnergySource,
            gpuUtil, memUtil, used, free, reserved,
            power, CurrentEnergy(), clocks, MaxClocks, temperature, reasons, violations, performanceState,
            _pcie, _ecc, processes, xids, _gpm, _nvlink, ReadMig(), _migGpm);
    }

    /// <summary>SM clock and clock-event reasons now, for canary windows.</summary>
    /// <summary>Memory in use on the GPU now (all processes), for the edges of a canary window; null where unreadable.</summary>
    public long? ReadMemoryUsed() => ReadMemory().Used;

    public (double? SmHertz, ulong? Reasons) ReadClockState()
    {
        if (_lost)
        {
            return (null, null);
        }

        return (Clock(GpuField.ClockSm, NvmlNative.ClockSm), ReadClockEvents());
    }

    private (long? Used, long? Free, long? Reserved) ReadMemory()
    {
        if (_unsupported[(int)GpuField.Memory])
        {
            return (null, null, null);
        }

        // v2 adds the driver-reserved part; drivers before r510 lack it.
        NvmlMemoryV2 v2 = default;
        v2.Version = NvmlMemoryV2.StructVersion;
        var memory = &v2;
        var code = NvmlErrors.CallOptional(() => NvmlNative.nvmlDeviceGetMemoryInfo_v2(Handle, memory));

        if (code == NvmlReturn.Success)
        {
            Check(GpuField.Memory, code);
            return ((long)v2.Used, (long)v2.Free, (long)v2.Reserved);
        }

        if (code == NvmlReturn.GpuIsLost)
        {
            Check(GpuField.Memory, code);
            return (null, null, null);
        }

        NvmlMemory v1;
        return Check(GpuField.Memory, NvmlNative.nvmlDeviceGetMemoryInfo(Handle, &v1)) ? ((long)v1.Used, (long)v1.Free, null) : (null, null, null);
    }

    private double? Clock(GpuField field, int type)
    {
        if (_unsupported[(int)field])
        {
            return null;
        }

        uint mhz;
        return Check(field, NvmlNative.nvmlDeviceGetClockInfo(Handle, type, &mhz)) ? mhz * 1e6 : null;
    }

    private ulong? ReadClockEvents()
    {
        if (_unsupported[(int)GpuField.ClockEvents])
        {
            return null;
        }

        ulong reasons;
        var read = &reasons;
        // The "clocks event" name arrived with driver r535; older drivers only have the "throttle" one.
        var code = _useThrottleReasonsName ? NvmlReturn.FunctionNotFound
            : NvmlErrors.CallOptional(() => NvmlNative.nvmlDeviceGetCurrentClocksEventReasons(Handle, read));
        if (code == NvmlReturn.FunctionNotFound)
        {
            _useThrottleReasonsName = true;
            code = NvmlNative.nvmlDeviceGetCurrentClocksThrottleReasons(Handle, read);
        }

        return Check(GpuField.ClockEvents, code) ? reasons : null;
    }

    /// <summary>
    /// Cumulative clock-event (throttle) time per policy. Each nvmlDeviceGetViolationStatus call
    /// costs about 0.7 ms on an H100 with driver 580 (against about 1 µs for utilisation or power),
    /// so this runs on the energy cadence, not on the 1 s tick; the fast sample carries the last reading.
    /// </summary>
    public void SampleViolations()
    {
        if (!_lost)
        {
            _violations = ReadViolations();
        }
    }

    private Dictionary<string, double>? ReadViolations()
    {
        if (_unsupported[(int)GpuField.Violation])
        {
            return null;
        }

        Dictionary<string, double>? result = null;
        var policies = GpuClockEvents.ViolationPolicies;
        for (var p = 0; p < policies.Count; p++)
        {
            if (_policyUnsupported[p])
            {
                continue;
            }

            var (name, policy) = policies[p];
            NvmlViolationTime time;
            var code = NvmlNative.nvmlDeviceGetViolationStatus(Handle, policy, &time);
            if (code == NvmlReturn.Success)
            {
                // violationTime is in nanoseconds.
                (result ??= new Dictionary<string, double>(StringComparer.Ordinal))[name] = time.ViolationTime / 1e9;
            }
            else if (code == NvmlReturn.InvalidArgument || NvmlErrors.Classify(code) == NvmlOutcome.NotSupported)
            {
                // A policy this driver does not know: stop asking for it, keep the others.
                _policyUnsupported[p] = true;
            }
            else
            {
                Check(GpuField.Violation, code);
                return null;
            }
        }

        if (result is null)
        {
            // No policy is supported on this GPU: stop asking.
            Check(GpuField.Violation, NvmlReturn.NotSupported);
        }
        else
        {
            Check(GpuField.Violation, NvmlReturn.Success);
        }

        return result;
    }

    private List<GpuProcessMemory>? ReadProcesses(bool names)
    {
        if (_unsupported[(int)GpuField.Processes])
        {
            return null;
        }

        while (true)
        {
            uint count = (uint)_processBuffer.Length;
            NvmlReturn code;
            var size = &count;
            fixed (NvmlProcessInfo* pinned = _processBuffer)
            {
                var infos = pinned;
                code = NvmlErrors.CallOptional(() => NvmlNative.nvmlDeviceGetComputeRunningProcesses_v3(Handle, size, infos));
            }

            if (code == NvmlReturn.InsufficientSize && count > _processBuffer.Length && count < 65536)
            {
                _processBuffer = new NvmlProcessInfo[count + 8];
                continue;
            }

            if (!Check(GpuField.Processes, code))
            {
                return null;
            }

            var list = new List<GpuProcessMemory>((int)count);
            var live = new HashSet<int>((int)count);
            for (var i = 0; i < count; i++)
            {
                var info = _processBuffer[i];
                var pid = (int)info.Pid;
                live.Add(pid);
                var used = info.UsedGpuMemory == ValueNotAvailable ? (long?)null : (long)info.UsedGpuMemory;
                if (!names)
                {
                    list.Add(new GpuProcessMemory(pid, string.Empty, used));
                    continue;
                }

                var (name, cgroup) = Identify(pid);
                double? sm = null, energy = null;
                lock (_processLock)
                {
                    if (_processUsage.TryGetValue(pid, out var usage))
                    {
                        (sm, energy) = (usage.SmUtilization, usage.EnergyJoules);
                    }
                }

                list.Add(new GpuProcessMemory(pid, name, used, sm, energy, cgroup.ContainerId, cgroup.PodUid));
            }

            lock (_processLock)
            {
                _livePids = live;
            }

            if (names && list.Count > ProcessLimit)
            {
                // Bounded cardinality: the processes holding the most memory.
                list = [.. list.OrderByDescending(p => p.UsedBytes ?? 0).ThenBy(p => p.Pid).Take(ProcessLimit)];
            }

            return list;
        }
    }

    private ProcessIdentity Identify(int pid)
    {
        if (_processIdentities.TryGetValue(pid, out var identity))
        {
            return identity;
        }

        identity = ProcessIdentity.Read(ProcRoot, pid);
        if (_processIdentities.Count > 4096)
        {
            _processIdentities.Clear();
        }

        _processIdentities[pid] = identity;
        return identity;
    }

    /// <summary>
    /// Per-process SM utilisation since the last call (nvmlDeviceGetProcessUtilization) and the GPU's energy
    /// since then split by each process's share of the summed SM utilisation (the energy cadence, with
    /// <c>Probes:Gpu:ProcessMetrics</c>). The estimate charges idle power to whichever processes ran, and
    /// nothing while none did; processes that left the compute list lose their state.
    /// </summary>
    public void SampleProcessUsage()
    {
        if (_lost)
        {
            return;
        }

        var utilization = ReadProcessUtilization();
        var energy = CurrentEnergy();
        lock (_processLock)
        {
            foreach (var pid in _processUsage.Keys.Where(p => !_livePids.Contains(p)).ToList())
            {
                _processUsage.Remove(pid);
                _processIdentities.Remove(pid);
            }

            if (utilization is null)
            {
                _lastProcessEnergy = energy;
                return;
            }

            var total = 0.0;
            foreach (var pid in _livePids)
            {
                total += utilization.TryGetValue(pid, out var u) ? u.Sum : 0;
            }

            var delta = energy is { } now && _lastProcessEnergy is { } before && now >= before ? now - before : 0;
            foreach (var pid in _livePids)
            {
                var (sum, latest) = utilization.TryGetValue(pid, out var u) ? u : (0, 0);
                var previous = _processUsage.GetValueOrDefault(pid);
                // NVML lists only processes with non-zero utilisation in the period: absent means 0.
                var share = total > 0 ? delta * sum / total : 0;
                _processUsage[pid] = (latest / 100.0, previous.EnergyJoules + share);
            }

            _lastProcessEnergy = energy;
        }
    }

    private Dictionary<int, (double Sum, uint Latest)>? ReadProcessUtilization()
    {
        if (_unsupported[(int)GpuField.ProcessUtilization])
        {
            return null;
        }

        var result = new Dictionary<int, (double Sum, uint Latest)>();
        while (true)
        {
            var count = (uint)_utilizationBuffer.Length;
            NvmlReturn code;
            var size = &count;
            fixed (NvmlProcessUtilizationSample* pinned = _utilizationBuffer)
            {
                var samples = pinned;
                code = NvmlErrors.CallOptional(() => NvmlNative.nvmlDeviceGetProcessUtilization(Handle, samples, size, _lastUtilizationTimestamp));
            }

            if (code == NvmlReturn.InsufficientSize && count > _utilizationBuffer.Length && count < 65536)
            {
                _utilizationBuffer = new NvmlProcessUtilizationSample[count + 8];
                continue;
            }

            // NOT_FOUND: no process had utilisation since the last read.
            if (code == NvmlReturn.NotFound)
            {
                Check(GpuField.ProcessUtilization, NvmlReturn.Success);
                return result;
            }

            if (!Check(GpuField.ProcessUtilization, code))
            {
                return null;
            }

            var latestTimestamp = new Dictionary<int, ulong>();
            for (var i = 0; i < count; i++)
            {
                var sample = _utilizationBuffer[i];
                var pid = (int)sample.Pid;
                var (sum, latest) = result.GetValueOrDefault(pid);
                if (sample.TimeStamp >= latestTimestamp.GetValueOrDefault(pid))
                {
                    latest = Math.Min(sample.SmUtil, 100u);
                    latestTimestamp[pid] = sample.TimeStamp;
                }

                result[pid] = (sum + Math.Min(sample.SmUtil, 100u), latest);
                _lastUtilizationTimestamp = Math.Max(_lastUtilizationTimestamp, sample.TimeStamp);
            }

            return result;
        }
    }

    /// <summary>Reads NVML's energy counter now (or returns the integrated value); null where unreadable.</summary>
    public double? ReadEnergy()
    {
        if (_lost)
        {
            return null;
        }

        lock (_energyLock)
        {
            if (EnergySource != "counter")
            {
                return _integratedJoules;
            }

            ulong millijoules;
            if (!Check(GpuField.Energy, NvmlNative.nvmlDeviceGetTotalEnergyConsumption(Handle, &millijoules)))
            {
                return _energyJoules;
            }

            // Millijoules since the driver loaded; a reload restarts it, which the accumulator treats as a reset.
            _energyJoules = _energyCounter.Update("energy", checked(millijoules * 1000), 0);
            return _energyJoules;
        }
    }

    private double? CurrentEnergy()
    {
        lock (_energyLock)
        {
            return EnergySource == "counter" ? _energyJoules : _integratedJoules;
        }
    }

    private void Integrate(double watts, long timestamp, double frequency)
    {
        lock (_energyLock)
        {
            if (_lastPowerWatts is { } previous && timestamp > _lastPowerTimestamp)
            {
                // Trapezoid between the two power readings.
                _integratedJoules += (previous + watts) / 2 * ((timestamp - _lastPowerTimestamp) / frequency);
            }

            _lastPowerWatts = watts;
            _lastPowerTimestamp = timestamp;
        }
    }

    /// <summary>PCIe throughput and link, ECC, retired pages and remapped rows: the slow cadence.</summary>
    public void SampleSlow()
    {
        if (_lost)
        {
            return;
        }

        var h = Handle;
        uint tx = 0, rx = 0, gen = 0, maxGen = 0, width = 0, maxWidth = 0;
        // Each throughput call blocks about 20 ms while the driver samples the link.
        var hasTx = !_unsupported[(int)GpuField.PcieTransmit] && Check(GpuField.PcieTransmit, NvmlNative.nvmlDeviceGetPcieThroughput(h, NvmlNative.PcieTx, &tx));
        var hasRx = !_unsupported[(int)GpuField.PcieReceive] && Check(GpuField.PcieReceive, NvmlNative.nvmlDeviceGetPcieThroughput(h, NvmlNative.PcieRx, &rx));
        var hasLink = !_unsupported[(int)GpuField.PcieLink]
            && Check(GpuField.PcieLink, NvmlNative.nvmlDeviceGetCurrPcieLinkGeneration(h, &gen))
            && Check(GpuField.PcieLink, NvmlNative.nvmlDeviceGetMaxPcieLinkGeneration(h, &maxGen))
            && Check(GpuField.PcieLink, NvmlNative.nvmlDeviceGetCurrPcieLinkWidth(h, &width))
            && Check(GpuField.PcieLink, NvmlNative.nvmlDeviceGetMaxPcieLinkWidth(h, &maxWidth));
        // nvmlDeviceGetPcieThroughput reports KB/s (1024 bytes).
        _pcie = hasTx || hasRx || hasLink
            ? new GpuPcieSample(
                hasTx ? tx * 1024.0 : null,
                hasRx ? rx * 1024.0 : null,
                hasLink ? (int)gen : null,
                hasLink ? (int)maxGen : null,
                hasLink ? (int)width : null,
                hasLink ? (int)maxWidth : null)
            : null;

        long? corrected = null, uncorrected = null;
        int current, pending;
        if (!_unsupported[(int)GpuField.Ecc] && Check(GpuField.Ecc, NvmlNative.nvmlDeviceGetEccMode(h, &current, &pending)) && current == 1)
        {
            ulong count;
            if (Check(GpuField.Ecc, NvmlNative.nvmlDeviceGetTotalEccErrors(h, NvmlNative.EccCorrected, NvmlNative.EccVolatile, &count)))
            {
                corrected = (long)count;
            }

            if (Check(GpuField.Ecc, NvmlNative.nvmlDeviceGetTotalEccErrors(h, NvmlNative.EccUncorrected, NvmlNative.EccVolatile, &count)))
            {
                uncorrected = (long)count;
            }
        }

        long? retiredSingle = null, retiredDouble = null;
        if (!_unsupported[(int)GpuField.RetiredPages])
        {
            retiredSingle = RetiredPages(NvmlNative.RetiredMultipleSingleBit);
            retiredDouble = retiredSingle is null ? null : RetiredPages(NvmlNative.RetiredDoubleBit);
        }

        long? remappedCorrectable = null, remappedUncorrectable = null, remappedPending = null, remappedFailure = null;
        if (!_unsupported[(int)GpuField.RemappedRows])
        {
            uint corr = 0, unc = 0, isPending = 0, failure = 0;
            var corrRows = &corr;
            var uncRows = &unc;
            var pendingRows = &isPending;
            var failedRows = &failure;
            var code = NvmlErrors.CallOptional(() => NvmlNative.nvmlDeviceGetRemappedRows(h, corrRows, uncRows, pendingRows, failedRows));

            if (Check(GpuField.RemappedRows, code))
            {
                (remappedCorrectable, remappedUncorrectable, remappedPending, remappedFailure) = (corr, unc, isPending, failure);
            }
        }

        _nvlink = ReadNvlinks();
        DiscoverMig();

        _ecc = corrected is null && uncorrected is null && retiredSingle is null && remappedCorrectable is null
            ? null
            : new GpuEccCounts(corrected, uncorrected, retiredSingle, retiredDouble, remappedCorrectable, remappedUncorrectable, remappedPending, remappedFailure);
    }

    private long? RetiredPages(int cause)
    {
        // A count of 0 asks for the number only; NVML answers INSUFFICIENT_SIZE when there are pages.
        uint count = 0;
        var code = NvmlNative.nvmlDeviceGetRetiredPages(Handle, cause, &count, null);
        if (code == NvmlReturn.InsufficientSize)
        {
            code = NvmlReturn.Success;
        }

        return Check(GpuField.RetiredPages, code) ? count : null;
    }

    /// <summary>Counts an Xid event of this GPU.</summary>
    public void AddXid(long xid)
    {
        lock (_xids)
        {
            _xids[xid] = _xids.GetValueOrDefault(xid) + 1;
        }

        Log.Xid(_logger, Identity.Index, Identity.Uuid, xid);
    }

    /// <summary>Records the outcome of one read of <paramref name="field"/>; true when the value is valid.</summary>
    internal bool Check(GpuField field, NvmlReturn code)
    {
        var i = (int)field;
        switch (NvmlErrors.Classify(code))
        {
            case NvmlOutcome.Ok:
                if (_failing[i])
                {
                    _failing[i] = false;
                    Log.FieldRecovered(_logger, Identity.Index, Identity.Uuid, field);
                }

                return true;
            case NvmlOutcome.NotSupported:
                if (!_unsupported[i])
                {
                    _unsupported[i] = true;
                    _errors.Add(GpuErrorCounts.NotSupported);
                    var why = NvmlErrors.Describe(code);
                    Log.FieldNotSupported(_logger, Identity.Index, Identity.Uuid, field, why);
                }

                return false;
            case NvmlOutcome.GpuLost:
                MarkLost();
                return false;
            default:
                _errors.Add(GpuErrorCounts.ReadFailed);
                if (!_failing[i])
                {
                    _failing[i] = true;
                    var why = NvmlErrors.Describe(code);
                    Log.FieldFailed(_logger, Identity.Index, Identity.Uuid, field, why);
                }

                return false;
        }
    }

    /// <summary>True when <paramref name="field"/> was reported NOT_SUPPORTED.</summary>
    internal bool IsUnsupported(GpuField field) => _unsupported[(int)field];

    internal void MarkLost()
    {
        if (!_lost)
        {
            _lost = true;
            _errors.Add(GpuErrorCounts.GpuLost);
            Log.GpuLost(_logger, Identity.Index, Identity.Uuid);
        }
    }
}
