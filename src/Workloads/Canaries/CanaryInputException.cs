namespace BenchDaemon.Workloads.Canaries;

/// <summary>The model's inputs cannot be built from the canary's settings; the message says which and why.</summary>
public sealed class CanaryInputException : Exception
{
    public CanaryInputException()
    {
    }

    public CanaryInputException(string message)
        : base(message)
    {
    }

    public CanaryInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a <see cref="ReasonCodes"/> code.</summary>
    public CanaryInputException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>The reason code of the failed result.</summary>
    public string Code { get; } = ReasonCodes.InputError;
}
