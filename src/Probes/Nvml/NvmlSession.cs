namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// One initialisation of NVML: <c>nvmlInit_v2</c> on <see cref="Open"/>, <c>nvmlShutdown</c> on
/// <see cref="Dispose"/>. NVML counts initialisations, so each session balances its own.
/// </summary>
public sealed unsafe class NvmlSession : IDisposable
{
    private bool _disposed;

    private NvmlSession()
    {
    }

    /// <summary>Where NVML was loaded from.</summary>
    public string LibraryPath { get; private init; } = string.Empty;

    /// <summary>Loads NVML (see <see cref="NvmlLibrary"/>) and initialises it.</summary>
    /// <exception cref="NvmlException">The library cannot be loaded or <c>nvmlInit_v2</c> failed; the message says why.</exception>
    public static NvmlSession Open(string? libraryPath)
    {
        if (!NvmlLibrary.TryLoad(libraryPath, out var error))
        {
            throw new NvmlException(error!);
        }

        NvmlReturn code;
        try
        {
            code = NvmlNative.nvmlInit_v2();
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new NvmlException($"{NvmlLibrary.LoadedFrom} is not an NVML library (no nvmlInit_v2)", ex);
        }

        NvmlErrors.ThrowIfFailed(code, "nvmlInit_v2");
        return new NvmlSession { LibraryPath = NvmlLibrary.LoadedFrom! };
    }

    /// <summary>Number of GPUs NVML sees (including ones this process may not be allowed to use).</summary>
    public static int DeviceCount()
    {
        uint count;
        NvmlErrors.ThrowIfFailed(NvmlNative.nvmlDeviceGetCount_v2(&count), "nvmlDeviceGetCount_v2");
        return checked((int)count);
    }

    /// <summary>The handle of GPU <paramref name="index"/>, or the failure code.</summary>
    public static NvmlReturn TryGetHandle(int index, out nint handle)
    {
        nint device;
        var code = NvmlNative.nvmlDeviceGetHandleByIndex_v2((uint)index, &device);
        handle = device;
        return code;
    }

    /// <summary>The kernel driver version, for example <c>580.95.05</c>; empty when unreadable.</summary>
    public static string DriverVersion()
    {
        var buffer = stackalloc byte[96];
        return NvmlNative.nvmlSystemGetDriverVersion(buffer, 96) == NvmlReturn.Success ? Text(buffer, 96) : string.Empty;
    }

    /// <summary>The highest CUDA version the driver supports as <c>major.minor</c>; empty when unreadable.</summary>
    public static string CudaDriverVersion()
    {
        int version;
        var read = &version;
        if (NvmlErrors.CallOptional(() => NvmlNative.nvmlSystemGetCudaDriverVersion_v2(read)) != NvmlReturn.Success)
        {
            return string.Empty;
        }

        // Encoded as 1000 * major + 10 * minor (CUDA_VERSION convention): 13000 is 13.0, 12080 is 12.8.
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{version / 1000}.{version % 1000 / 10}");
    }

    /// <summary>Reads a NUL-terminated string NVML wrote into <paramref name="buffer"/>.</summary>
    internal static string Text(byte* buffer, int capacity)
    {
        var span = new ReadOnlySpan<byte>(buffer, capacity);
        var end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // The return code is of no use here: the process keeps running without NVML either way.
        _ = NvmlNative.nvmlShutdown();
    }
}
