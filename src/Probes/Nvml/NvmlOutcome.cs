namespace BenchDaemon.Probes.Nvml;

/// <summary>What a caller does with an NVML return code (see <see cref="NvmlErrors.Classify"/>).</summary>
public enum NvmlOutcome
{
    /// <summary>The value is valid.</summary>
    Ok,

    /// <summary>This GPU or driver does not have the field: omit it for this GPU from now on.</summary>
    NotSupported,

    /// <summary>The GPU fell off the bus or stopped answering (<c>NVML_ERROR_GPU_IS_LOST</c>): stop reading it.</summary>
    GpuLost,

    /// <summary>Any other failure: omit the value this time and try again next time.</summary>
    Failed,
}
