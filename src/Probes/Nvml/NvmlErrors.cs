using System.Globalization;

namespace BenchDaemon.Probes.Nvml;

/// <summary>The one place that turns NVML return codes into outcomes, messages and exceptions.</summary>
public static class NvmlErrors
{
    /// <summary>Sorts a return code into what the probe does with it.</summary>
    public static NvmlOutcome Classify(NvmlReturn code) => code switch
    {
        NvmlReturn.Success => NvmlOutcome.Ok,
        // FUNCTION_NOT_FOUND: an older driver lacks the entry point behind this field.
        NvmlReturn.NotSupported or NvmlReturn.FunctionNotFound => NvmlOutcome.NotSupported,
        NvmlReturn.GpuIsLost => NvmlOutcome.GpuLost,
        _ => NvmlOutcome.Failed,
    };

    /// <summary>
    /// Calls an NVML function that older drivers lack. A library without the entry point makes the
    /// LibraryImport stub throw <see cref="EntryPointNotFoundException"/> when it binds; that is
    /// NVML_ERROR_FUNCTION_NOT_FOUND here, which <see cref="Classify"/> sorts as not supported.
    /// </summary>
    internal static NvmlReturn CallOptional(Func<NvmlReturn> call)
    {
        try
        {
            return call();
        }
        catch (EntryPointNotFoundException)
        {
            return NvmlReturn.FunctionNotFound;
        }
    }

    /// <summary>Throws <see cref="NvmlException"/> unless <paramref name="code"/> is success.</summary>
    public static void ThrowIfFailed(NvmlReturn code, string function)
    {
        if (code != NvmlReturn.Success)
        {
            throw new NvmlException(function, code);
        }
    }

    /// <summary>A short description with the symbolic name, for logs and the probe's down reason.</summary>
    public static string Describe(NvmlReturn code) => code switch
    {
        NvmlReturn.Uninitialized => "NVML_ERROR_UNINITIALIZED (NVML was not initialised)",
        NvmlReturn.NotSupported => "NVML_ERROR_NOT_SUPPORTED (this GPU or driver does not support it)",
        NvmlReturn.NoPermission => "NVML_ERROR_NO_PERMISSION (insufficient permissions)",
        NvmlReturn.DriverNotLoaded => "NVML_ERROR_DRIVER_NOT_LOADED (the NVIDIA kernel driver is not running)",
        NvmlReturn.LibraryNotFound => "NVML_ERROR_LIBRARY_NOT_FOUND",
        NvmlReturn.FunctionNotFound => "NVML_ERROR_FUNCTION_NOT_FOUND (the driver is older than this call)",
        NvmlReturn.GpuIsLost => "NVML_ERROR_GPU_IS_LOST (the GPU fell off the bus or stopped responding)",
        NvmlReturn.ResetRequired => "NVML_ERROR_RESET_REQUIRED (the GPU needs a reset)",
        NvmlReturn.LibRmVersionMismatch => "NVML_ERROR_LIB_RM_VERSION_MISMATCH (user-space NVML and kernel driver versions differ; reload the driver or reboot)",
        NvmlReturn.InsufficientSize => "NVML_ERROR_INSUFFICIENT_SIZE",
        NvmlReturn.Timeout => "NVML_ERROR_TIMEOUT",
        NvmlReturn.GpuNotFound => "NVML_ERROR_GPU_NOT_FOUND",
        NvmlReturn.NotFound => "NVML_ERROR_NOT_FOUND",
        NvmlReturn.NoData => "NVML_ERROR_NO_DATA",
        NvmlReturn.Unknown => "NVML_ERROR_UNKNOWN",
        _ => string.Create(CultureInfo.InvariantCulture, $"NVML error {(int)code} ({code})"),
    };
}
