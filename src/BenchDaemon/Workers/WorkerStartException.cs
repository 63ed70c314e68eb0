namespace BenchDaemon.Workers;

/// <summary>A worker process could not be started or did not greet; the message says why.</summary>
public sealed class WorkerStartException : Exception
{
    public WorkerStartException()
    {
    }

    public WorkerStartException(string message)
        : base(message)
    {
    }

    public WorkerStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
