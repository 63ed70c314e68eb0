using BenchDaemon.Probes.Linux;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// One GPU of an NVML session: its handle, identity, the per-field NOT_SUPPORTED / failure
/// state (so each is logged once) and the values of the slow cadences. The fast tick, the
/// energy and PCIe loops and canary windows read it from different threads; each field set is
/// owned by one of them, energy by <see cref="_energyLock"/>.
/// </summary>
internal sealed unsafe class GpuDevice
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
    private readonly Dictionary<int, string> _processNames = [];
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

    public GpuDevice(nint handle, GpuIdentity identity, GpuClocks maxClocks, ILogger logger, GpuErrorCounts errors)
    {
        _errors = errors;
        Handle = handle;
        Identity = identity;
        MaxClocks = maxClocks;
        _logger = logger;
    }

    public nint Handle { get; }

    public GpuIdentity Identity { get; }

    public GpuClocks MaxClocks { get; }

    public bool Lost => _lost;

    /// <summary><c>counter</c> or <c>power_integration</c>, decided once at initialisation.</summary>
    public string EnergySource { get; private set; } = "counter";

    /// <summary>Reads identity and maximum clocks of GPU <paramref name="index"/>.</summary>
    public static GpuDevice Create(int index, nint handle, string driver, string cuda, ILogger logger, GpuErrorCounts errors)
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
        var device = new GpuDevice(handle, identity, max, logger, errors);
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

        return device;
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
            _pcie, _ecc, processes, xids);
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
        NvmlReturn code;
        try
        {
            code = NvmlNative.nvmlDeviceGetMemoryInfo_v2(Handle, &v2);
        }
        catch (EntryPointNotFoundException)
        {
            code = NvmlReturn.FunctionNotFound;
        }

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
        NvmlReturn code;
        // The "clocks event" name arrived with driver r535; older drivers only have the "throttle" one.
        if (!_useThrottleReasonsName)
        {
            try
            {
                code = NvmlNative.nvmlDeviceGetCurrentClocksEventReasons(Handle, &reasons);
            }
            catch (EntryPointNotFoundException)
            {
                _useThrottleReasonsName = true;
                code = NvmlNative.nvmlDeviceGetCurrentClocksThrottleReasons(Handle, &reasons);
            }
        }
        else
        {
            code = NvmlNative.nvmlDeviceGetCurrentClocksThrottleReasons(Handle, &reasons);
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
            fixed (NvmlProcessInfo* infos = _processBuffer)
            {
                try
                {
                    code = NvmlNative.nvmlDeviceGetComputeRunningProcesses_v3(Handle, &count, infos);
                }
                catch (EntryPointNotFoundException)
                {
                    code = NvmlReturn.FunctionNotFound;
                }
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
            for (var i = 0; i < count; i++)
            {
                var info = _processBuffer[i];
                var pid = (int)info.Pid;
                list.Add(new GpuProcessMemory(pid, names ? ProcessName(pid) : string.Empty, info.UsedGpuMemory == ValueNotAvailable ? null : (long)info.UsedGpuMemory));
            }

            return list;
        }
    }

    private string ProcessName(int pid)
    {
        if (_processNames.TryGetValue(pid, out var name))
        {
            return name;
        }

        try
        {
            name = File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another PID namespace (NVML reports host PIDs inside containers) or already gone.
            name = "unknown";
        }

        if (_processNames.Count > 4096)
        {
            _processNames.Clear();
        }

        _processNames[pid] = name;
        return name;
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
            NvmlReturn code;
            try
            {
                code = NvmlNative.nvmlDeviceGetRemappedRows(h, &corr, &unc, &isPending, &failure);
            }
            catch (EntryPointNotFoundException)
            {
                code = NvmlReturn.FunctionNotFound;
            }

            if (Check(GpuField.RemappedRows, code))
            {
                (remappedCorrectable, remappedUncorrectable, remappedPending, remappedFailure) = (corr, unc, isPending, failure);
            }
        }

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
