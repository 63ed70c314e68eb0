namespace BenchDaemon.Scheduling;

/// <summary>
/// Time spent running canaries in a sliding one-hour window, kept on the monotonic clock so a
/// wall-clock step neither keeps old runs in the window (a step back) nor drops them early.
/// </summary>
public sealed class DutyCycle(TimeProvider timeProvider)
{
    /// <summary>The window the duty fraction is measured over.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly Queue<(long End, TimeSpan Busy)> _runs = new();
    private readonly Lock _lock = new();

    /// <summary>Records a run that just ended after <paramref name="busy"/>.</summary>
    public void Add(TimeSpan busy)
    {
        lock (_lock)
        {
            _runs.Enqueue((timeProvider.GetTimestamp(), busy));
        }
    }

    /// <summary>Busy share of the last hour (0–1).</summary>
    public double UsedFraction()
    {
        lock (_lock)
        {
            return Used(timeProvider.GetTimestamp()) / Window;
        }
    }

    /// <summary>True when running for <paramref name="expected"/> more would exceed <paramref name="fraction"/> of the window.</summary>
    public bool WouldExceed(TimeSpan expected, double fraction)
    {
        if (fraction >= 1)
        {
            return false;
        }

        lock (_lock)
        {
            return Used(timeProvider.GetTimestamp()) + expected > Window * fraction;
        }
    }

    // Runs that ended within the window count whole; older ones are dropped.
    private TimeSpan Used(long now)
    {
        while (_runs.Count > 0 && timeProvider.GetElapsedTime(_runs.Peek().End, now) > Window)
        {
            _runs.Dequeue();
        }

        return _runs.Aggregate(TimeSpan.Zero, (sum, run) => sum + run.Busy);
    }
}
