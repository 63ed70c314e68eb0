using System.Runtime.InteropServices;

namespace BenchDaemon.Probes.Nvml;

// Blittable mirrors of the nvml.h structures the probe reads; field order and widths are the
// driver's ABI (https://docs.nvidia.com/deploy/nvml-api/group__nvmlStructs.html).
#pragma warning disable CA1815, CA1051 // ABI mirrors: public fields, no equality.

/// <summary><c>nvmlUtilization_t</c>: percent of the last sample period a kernel ran / memory was read or written.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlUtilization
{
    public uint Gpu;
    public uint Memory;
}

/// <summary><c>nvmlMemory_t</c>: framebuffer bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemory
{
    public ulong Total;
    public ulong Free;
    public ulong Used;
}

/// <summary><c>nvmlMemory_v2_t</c>: framebuffer bytes including the driver-reserved part.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemoryV2
{
    /// <summary><c>NVML_STRUCT_VERSION(Memory, 2)</c>: size of the struct with version 2 in the top byte.</summary>
    public static readonly uint StructVersion = (uint)Marshal.SizeOf<NvmlMemoryV2>() | (2u << 24);

    public uint Version;
    public ulong Total;
    public ulong Reserved;
    public ulong Free;
    public ulong Used;
}

/// <summary><c>nvmlPciInfo_t</c> (as filled by <c>nvmlDeviceGetPciInfo_v3</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NvmlPciInfo
{
    public fixed byte BusIdLegacy[16];
    public uint Domain;
    public uint Bus;
    public uint Device;
    public uint PciDeviceId;
    public uint PciSubSystemId;
    public fixed byte BusId[32];
}

/// <summary><c>nvmlProcessInfo_t</c> (v2 layout, used by <c>nvmlDeviceGetComputeRunningProcesses_v3</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlProcessInfo
{
    public uint Pid;
    public ulong UsedGpuMemory;
    public uint GpuInstanceId;
    public uint ComputeInstanceId;
}

/// <summary><c>nvmlProcessUtilizationSample_t</c>: 32 bytes, percent values over NVML's last sample period.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlProcessUtilizationSample
{
    public uint Pid;
    public ulong TimeStamp; // CPU timestamp, microseconds
    public uint SmUtil;
    public uint MemUtil;
    public uint EncUtil;
    public uint DecUtil;
}

/// <summary><c>nvmlViolationTime_t</c>: nanoseconds a clock policy held clocks down.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlViolationTime
{
    public ulong ReferenceTime;
    public ulong ViolationTime;
}

/// <summary><c>nvmlEventData_t</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlEventData
{
    public nint Device;
    public ulong EventType;
    public ulong EventData;
    public uint GpuInstanceId;
    public uint ComputeInstanceId;
}
/// <summary><c>nvmlFieldValue_t</c>: 40 bytes, the <c>nvmlValue_t</c> union (8 bytes) at offset 32.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlFieldValue
{
    public uint FieldId;
    public uint ScopeId;
    public long Timestamp;
    public long LatencyMicroseconds;
    public int ValueType;
    public NvmlReturn Return;
    public ulong Value;
}

/// <summary><c>nvmlGpmSupport_t</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlGpmSupport
{
    /// <summary><c>NVML_GPM_SUPPORT_VERSION</c>.</summary>
    public const uint CurrentVersion = 1;

    public uint Version;
    public uint IsSupportedDevice;
}

/// <summary><c>nvmlGpmMetric_t</c>: 40 bytes on 64-bit Linux, <see cref="Value"/> at offset 8.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlGpmMetric
{
    public uint MetricId;
    public NvmlReturn Return;
    public double Value;
    public nint ShortName;
    public nint LongName;
    public nint Unit;
}

/// <summary>
/// <c>nvmlGpmMetricsGet_t</c> with the largest metrics array any header declared
/// (<c>NVML_GPM_METRIC_MAX</c> = 333 since CUDA 13.2.1; 98 in NVML 12.0–12.8, 210 in 13.1.2). The
/// version stayed 1 while the array grew, so a driver built against a shorter array reads only
/// <see cref="NumMetrics"/> entries: the probe asks for far fewer than 98 and never more.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NvmlGpmMetricsGet
{
    /// <summary><c>NVML_GPM_METRICS_GET_VERSION</c> (unchanged since the first GPM header).</summary>
    public const uint CurrentVersion = 1;

    /// <summary><c>NVML_GPM_METRIC_MAX</c> of the newest header.</summary>
    public const int MaxMetrics = 333;

    /// <summary><c>NVML_GPM_METRIC_MAX</c> of the oldest GPM header (NVML 12.0–12.8): the most the probe may ask for.</summary>
    public const int OldestMaxMetrics = 98;

    public uint Version;
    public uint NumMetrics;
    public nint Sample1;
    public nint Sample2;

    // nvmlGpmMetric_t metrics[NVML_GPM_METRIC_MAX]; a fixed buffer of bytes because C# has no fixed arrays of structs.
    private fixed byte _metrics[MaxMetrics * 40];

    /// <summary>Entry <paramref name="index"/> of the metrics array; the struct must not move (a local or pinned).</summary>
    public NvmlGpmMetric* Metric(int index)
    {
        fixed (byte* first = _metrics)
        {
            return (NvmlGpmMetric*)first + index;
        }
    }
}
#pragma warning restore CA1815, CA1051
