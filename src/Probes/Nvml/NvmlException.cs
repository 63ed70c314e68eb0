namespace BenchDaemon.Probes.Nvml;

/// <summary>An NVML call that must succeed (initialisation, enumeration) failed.</summary>
public sealed class NvmlException : Exception
{
    public NvmlException()
    {
    }

    public NvmlException(string message)
        : base(message)
    {
    }

    public NvmlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="function"/> returning <paramref name="code"/>.</summary>
    public NvmlException(string function, NvmlReturn code)
        : base($"{function} failed: {NvmlErrors.Describe(code)}")
    {
        Code = code;
    }

    /// <summary>The return code, or <see cref="NvmlReturn.Unknown"/> where the failure was not a return code.</summary>
    public NvmlReturn Code { get; } = NvmlReturn.Unknown;
}
