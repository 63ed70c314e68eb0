using System.Runtime.InteropServices;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// The part of the CUDA driver API (<c>libcuda.so.1</c>) the micro-canaries use. Entry points
/// are the ABI names (<c>_v2</c> where the header maps to one). The library name is resolved
/// by <see cref="CudaLibraries"/>; call <see cref="CudaLibraries.LoadDriver"/> first.
/// </summary>
internal static unsafe partial class CudaDriver
{
    internal const string Library = "cuda";

    internal const int Success = 0;
    internal const int ErrorOutOfMemory = 2;
    internal const int ErrorNotInitialized = 3;
    internal const int ErrorInsufficientDriver = 35;
    internal const int ErrorNoDevice = 100;
    internal const int ErrorInvalidDevice = 101;

    internal const int AttributeComputeCapabilityMajor = 75;
    internal const int AttributeComputeCapabilityMinor = 76;

    /// <summary><c>CU_STREAM_NON_BLOCKING</c>.</summary>
    internal const uint StreamNonBlocking = 1;

    [LibraryImport(Library, EntryPoint = "cuInit")]
    internal static partial int Init(uint flags);

    [LibraryImport(Library, EntryPoint = "cuDriverGetVersion")]
    internal static partial int DriverGetVersion(out int version);

    [LibraryImport(Library, EntryPoint = "cuGetErrorName")]
    internal static partial int GetErrorName(int error, out nint name);

    [LibraryImport(Library, EntryPoint = "cuDeviceGetCount")]
    internal static partial int DeviceGetCount(out int count);

    [LibraryImport(Library, EntryPoint = "cuDeviceGet")]
    internal static partial int DeviceGet(out int device, int ordinal);

    [LibraryImport(Library, EntryPoint = "cuDeviceGetName")]
    internal static partial int DeviceGetName(byte* name, int length, int device);

    [LibraryImport(Library, EntryPoint = "cuDeviceGetAttribute")]
    internal static partial int DeviceGetAttribute(out int value, int attribute, int device);

    [LibraryImport(Library, EntryPoint = "cuDeviceGetPCIBusId")]
    internal static partial int DeviceGetPciBusId(byte* busId, int length, int device);

    [LibraryImport(Library, EntryPoint = "cuDevicePrimaryCtxRetain")]
    internal static partial int DevicePrimaryCtxRetain(out nint context, int device);

    [LibraryImport(Library, EntryPoint = "cuDevicePrimaryCtxRelease_v2")]
    internal static partial int DevicePrimaryCtxRelease(int device);

    [LibraryImport(Library, EntryPoint = "cuCtxSetCurrent")]
    internal static partial int CtxSetCurrent(nint context);

    [LibraryImport(Library, EntryPoint = "cuMemGetInfo_v2")]
    internal static partial int MemGetInfo(out nuint free, out nuint total);

    [LibraryImport(Library, EntryPoint = "cuMemAlloc_v2")]
    internal static partial int MemAlloc(out ulong pointer, nuint bytes);

    [LibraryImport(Library, EntryPoint = "cuMemFree_v2")]
    internal static partial int MemFree(ulong pointer);

    [LibraryImport(Library, EntryPoint = "cuMemAllocHost_v2")]
    internal static partial int MemAllocHost(out nint pointer, nuint bytes);

    [LibraryImport(Library, EntryPoint = "cuMemFreeHost")]
    internal static partial int MemFreeHost(nint pointer);

    [LibraryImport(Library, EntryPoint = "cuMemcpyHtoD_v2")]
    internal static partial int MemcpyHtoD(ulong destination, void* source, nuint bytes);

    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoH_v2")]
    internal static partial int MemcpyDtoH(void* destination, ulong source, nuint bytes);

    [LibraryImport(Library, EntryPoint = "cuMemcpyHtoDAsync_v2")]
    internal static partial int MemcpyHtoDAsync(ulong destination, nint source, nuint bytes, nint stream);

    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoHAsync_v2")]
    internal static partial int MemcpyDtoHAsync(nint destination, ulong source, nuint bytes, nint stream);

    [LibraryImport(Library, EntryPoint = "cuMemcpyDtoDAsync_v2")]
    internal static partial int MemcpyDtoDAsync(ulong destination, ulong source, nuint bytes, nint stream);

    [LibraryImport(Library, EntryPoint = "cuStreamCreate")]
    internal static partial int StreamCreate(out nint stream, uint flags);

    [LibraryImport(Library, EntryPoint = "cuStreamDestroy_v2")]
    internal static partial int StreamDestroy(nint stream);

    [LibraryImport(Library, EntryPoint = "cuStreamSynchronize")]
    internal static partial int StreamSynchronize(nint stream);

    [LibraryImport(Library, EntryPoint = "cuEventCreate")]
    internal static partial int EventCreate(out nint cuEvent, uint flags);

    [LibraryImport(Library, EntryPoint = "cuEventDestroy_v2")]
    internal static partial int EventDestroy(nint cuEvent);

    [LibraryImport(Library, EntryPoint = "cuEventRecord")]
    internal static partial int EventRecord(nint cuEvent, nint stream);

    [LibraryImport(Library, EntryPoint = "cuEventSynchronize")]
    internal static partial int EventSynchronize(nint cuEvent);

    [LibraryImport(Library, EntryPoint = "cuEventElapsedTime")]
    internal static partial int EventElapsedTime(out float milliseconds, nint start, nint end);

    /// <summary>The driver's name for <paramref name="error"/> (for example <c>CUDA_ERROR_OUT_OF_MEMORY</c>).</summary>
    internal static string ErrorName(int error)
    {
        try
        {
            if (GetErrorName(error, out var name) == Success && name != 0 && Marshal.PtrToStringUTF8(name) is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (EntryPointNotFoundException)
        {
        }

        return "CUDA_ERROR_" + error.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
