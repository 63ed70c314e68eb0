using BenchDaemon.Telemetry;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Time spent running canaries in a sliding window — an hour, or the interval the cadence planner
/// gave the default canaries when that is longer (<see cref="Stretch"/>) — kept on the monotonic
/// clock so a wall-clock step neither keeps old runs in the window (a step back) nor drops them early.
/// </summary>
public sealed class DutyCycle(TimeProvider timeProvider) : IMetricSource
{
    /// <summary>The shortest window the duty fraction is measured over.</summary>
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromHours(1);

    private readonly Queue<(long End, TimeSpan Busy)> _runs = new();
    private readonly Lock _lock = new();
    private TimeSpan _window = MinimumWindow;

    /// <summary>The window the duty fraction is measured over now.</summary>
    public TimeSpan Window
    {
        get
        {
            lock (_lock)
            {
                return _window;
            }
        }
    }

    /// <summary>
    /// The share of the planned interval the stretched window spans: a little less than the
    /// interval, so the previous round of the same canaries has left the window when the next
    /// round begins (a window of the whole interval would still hold a canary's previous run when
    /// it runs again, and count a round and a run against the budget of one round).
    /// </summary>
    public const double StretchShare = 0.9;

    /// <summary>
    /// Measures over <see cref="StretchShare"/> of <paramref name="planned"/> when that is longer
    /// than an hour (else an hour): the planner fits one round of the default canaries into the
    /// budget over its interval, and a round whose runs come minutes apart must not be judged
    /// against one hour (four runs of 11–64 s, 174 s a round, are more than one hour's 72 s at 2 %).
    /// </summary>
    public void Stretch(TimeSpan? planned)
    {
        lock (_lock)
        {
            _window = planned is { } p && p * StretchShare > MinimumWindow ? p * StretchShare : MinimumWindow;
        }
    }

    /// <summary>Records a run that just ended after <paramref name="busy"/>.</summary>
    public void Add(TimeSpan busy)
    {
        lock (_lock)
        {
            _runs.Enqueue((timeProvider.GetTimestamp(), busy));
        }
    }

    /// <summary>Writes <c>benchdaemon_canary_duty_ratio</c>, the fraction of the window canaries used.</summary>
    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(TelemetryCatalogue.CanaryDuty, UsedFraction());
    }

    /// <summary>Busy share of the window (0–1).</summary>
    public double UsedFraction()
    {
        lock (_lock)
        {
            return Used(timeProvider.GetTimestamp()) / _window;
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
            return Used(timeProvider.GetTimestamp()) + expected > _window * fraction;
        }
    }

    // Runs that ended within the window count whole; older ones are dropped.
    private TimeSpan Used(long now)
    {
        while (_runs.Count > 0 && timeProvider.GetElapsedTime(_runs.Peek().End, now) > _window)
        {
            _runs.Dequeue();
        }

        return _runs.Aggregate(TimeSpan.Zero, (sum, run) => sum + run.Busy);
    }
}
