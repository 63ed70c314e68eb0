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
#pragma warning restore CA1815, CA1051
