namespace BenchDaemon.History;

/// <summary>The history cannot be used: missing, from a newer BenchDaemon, or not a history file.</summary>
public sealed class HistoryStoreException : Exception
{
    public HistoryStoreException()
    {
    }

    public HistoryStoreException(string message)
        : base(message)
    {
    }

    public HistoryStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
