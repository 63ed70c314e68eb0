using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Tests.Support;

/// <summary>
/// A clock whose wall time can be stepped back and forth while its monotonic time (timestamps
/// and timers) only moves forward, as on a machine whose wall clock NTP or an operator steps.
/// <see cref="FakeTimeProvider"/> alone cannot step back: its wall time and timestamps are one.
/// </summary>
public sealed class SteppedTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly FakeTimeProvider _monotonic = new(start);
    private TimeSpan _step;

    /// <summary>Moves both clocks forward by <paramref name="delta"/> (time passing).</summary>
    public void Advance(TimeSpan delta) => _monotonic.Advance(delta);

    /// <summary>Steps the wall clock alone by <paramref name="delta"/> (negative: backwards).</summary>
    public void Step(TimeSpan delta) => _step += delta;

    public override DateTimeOffset GetUtcNow() => _monotonic.GetUtcNow() + _step;

    public override long GetTimestamp() => _monotonic.GetTimestamp();

    public override long TimestampFrequency => _monotonic.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _monotonic.CreateTimer(callback, state, dueTime, period);
}
