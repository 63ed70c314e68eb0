using System.Runtime.InteropServices;

namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// P/Invoke bindings to the NVML entry points the probe uses. The library name is resolved by
/// <see cref="NvmlLibrary"/> (the driver's versioned soname or a configured path). Every
/// function returns an <see cref="NvmlReturn"/>; <see cref="NvmlErrors"/> interprets it.
/// Reference: https://docs.nvidia.com/deploy/nvml-api/.
/// </summary>
internal static unsafe partial class NvmlNative
{
    /// <summary>The name the resolver recognises; never loaded under this name directly.</summary>
    public const string LibraryName = "nvidia-ml";

    // nvmlClockType_t
    public const int ClockGraphics = 0;
    public const int ClockSm = 1;
    public const int ClockMemory = 2;

    // nvmlTemperatureSensors_t
    public const int TemperatureGpu = 0;

    // nvmlPcieUtilCounter_t
    public const int PcieTx = 0;
    public const int PcieRx = 1;

    // nvmlMemoryErrorType_t, nvmlEccCounterType_t
    public const int EccCorrected = 0;
    public const int EccUncorrected = 1;
    public const int EccVolatile = 0;

    // nvmlPageRetirementCause_t
    public const int RetiredMultipleSingleBit = 0;
    public const int RetiredDoubleBit = 1;

    // nvmlEventType: Xid critical errors.
    public const ulong EventXidCriticalError = 0x8;

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlInit_v2();

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlShutdown();

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlSystemGetDriverVersion(byte* version, uint length);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlSystemGetCudaDriverVersion_v2(int* version);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetCount_v2(uint* count);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetHandleByIndex_v2(uint index, nint* device);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetUUID(nint device, byte* uuid, uint length);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetName(nint device, byte* name, uint length);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetPciInfo_v3(nint device, NvmlPciInfo* pci);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetCudaComputeCapability(nint device, int* major, int* minor);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetEnforcedPowerLimit(nint device, uint* milliwatts);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetMemoryInfo(nint device, NvmlMemory* memory);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetMemoryInfo_v2(nint device, NvmlMemoryV2* memory);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetUtilizationRates(nint device, NvmlUtilization* utilization);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetPowerUsage(nint device, uint* milliwatts);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetTotalEnergyConsumption(nint device, ulong* millijoules);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetClockInfo(nint device, int type, uint* megahertz);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetMaxClockInfo(nint device, int type, uint* megahertz);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetTemperature(nint device, int sensor, uint* celsius);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetCurrentClocksEventReasons(nint device, ulong* reasons);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetCurrentClocksThrottleReasons(nint device, ulong* reasons);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetViolationStatus(nint device, int policy, NvmlViolationTime* time);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetPerformanceState(nint device, int* state);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetPcieThroughput(nint device, int counter, uint* kilobytesPerSecond);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetCurrPcieLinkGeneration(nint device, uint* generation);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetMaxPcieLinkGeneration(nint device, uint* generation);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetCurrPcieLinkWidth(nint device, uint* width);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetMaxPcieLinkWidth(nint device, uint* width);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetEccMode(nint device, int* current, int* pending);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetTotalEccErrors(nint device, int errorType, int counterType, ulong* count);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetRetiredPages(nint device, int cause, uint* pageCount, ulong* addresses);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetRemappedRows(nint device, uint* correctable, uint* uncorrectable, uint* pending, uint* failure);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetComputeRunningProcesses_v3(nint device, uint* count, NvmlProcessInfo* infos);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlEventSetCreate(nint* set);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceRegisterEvents(nint device, ulong eventTypes, nint set);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlEventSetWait_v2(nint set, NvmlEventData* data, uint timeoutMilliseconds);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlEventSetFree(nint set);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetProcessUtilization(nint device, NvmlProcessUtilizationSample* utilization, uint* processSamplesCount, ulong lastSeenTimeStamp);

    // MIG (nvml.h "Multi Instance GPU Management"); read only: the probe never changes MIG mode.
    public const uint MigEnabled = 1; // NVML_DEVICE_MIG_ENABLE

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetMigMode(nint device, uint* currentMode, uint* pendingMode);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetMaxMigDeviceCount(nint device, uint* count);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetMigDeviceHandleByIndex(nint device, uint index, nint* migDevice);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetGpuInstanceId(nint device, uint* id);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetComputeInstanceId(nint device, uint* id);

    // NVLink (nvml.h "NvLink Methods"); NVML_NVLINK_MAX_LINKS links at most.
    public const int NvlinkMaxLinks = 36;

    // nvmlFieldValue_t field ids: NVLink data throughput counters in KiB, link in scopeId.
    public const uint FieldNvlinkThroughputDataTx = 138;
    public const uint FieldNvlinkThroughputDataRx = 139;

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetNvLinkState(nint device, uint link, int* isActive);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetNvLinkErrorCounter(nint device, uint link, int counter, ulong* counterValue);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlDeviceGetFieldValues(nint device, int valuesCount, NvmlFieldValue* values);

    // GPM (GPU performance monitoring, Hopper and newer; drivers from r520). nvml.h, "GPM Functions".

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlGpmQueryDeviceSupport(nint device, NvmlGpmSupport* support);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlGpmSampleAlloc(nint* sample);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlGpmSampleFree(nint sample);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlGpmSampleGet(nint device, nint sample);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlGpmMigSampleGet(nint device, uint gpuInstanceId, nint sample);

    [LibraryImport(LibraryName)]
    public static partial NvmlReturn nvmlGpmMetricsGet(NvmlGpmMetricsGet* metricsGet);
}
