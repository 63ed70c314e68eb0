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
}
