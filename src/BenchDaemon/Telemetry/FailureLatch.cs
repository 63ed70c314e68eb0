namespace BenchDaemon.Telemetry;

/// <summary>
/// The "say it once" state of something that fails for a reason and recovers (history writes,
/// OTLP export, the log file): the first failure of a reason is logged in full, repeats of the
/// same reason at debug level, and the recovery once. Not thread-safe: its owner holds a lock.
/// </summary>
public sealed class FailureLatch
{
    private string? _reason;

    /// <summary>Records a failure for <paramref name="reason"/>; true when it is the first of that reason in a row (log it in full).</summary>
    public bool Fail(string reason)
    {
        var first = _reason != reason;
        _reason = reason;
        return first;
    }

    /// <summary>Records a success; the reason of the failures it ends, or null when it ends none.</summary>
    public string? Recover()
    {
        var reason = _reason;
        _reason = null;
        return reason;
    }
}
