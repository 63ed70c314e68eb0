using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Watches the wall clock against the monotonic clock and re-plans the canary schedules when the
/// wall clock steps (an NTP step, a manual <c>date -s</c>, a virtual machine resumed). Quartz plans
/// firings in wall-clock time: after a step back by an hour it would wait that hour before the next
/// run. Durations (latencies, the duty budget, probe intervals) use the monotonic clock and are not
/// affected. Gradual NTP slewing never reaches <see cref="Tolerance"/>.
/// </summary>
public sealed partial class ClockStepMonitor(
    CanarySchedulingService scheduling,
    CanaryCoordinator coordinator,
    TimeProvider timeProvider,
    ILogger<ClockStepMonitor> logger) : BackgroundService
{
    /// <summary>How often the two clocks are compared.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>A difference between the clocks' progress larger than this is a step.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private DateTimeOffset _wall;
    private long _monotonic;
    private volatile bool _replanning;

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _wall = timeProvider.GetUtcNow();
            _monotonic = timeProvider.GetTimestamp();
        }

        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// True while a wall-clock step is not yet re-planned (stepped since the last check, or the
    /// re-plan is running): a trigger that looks late then is the step, not runs that were lost.
    /// </summary>
    public bool Stepping()
    {
        if (_replanning)
        {
            return true;
        }

        lock (_lock)
        {
            var step = (timeProvider.GetUtcNow() - _wall) - timeProvider.GetElapsedTime(_monotonic);
            return step.Duration() >= Tolerance;
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // PeriodicTimer counts monotonic time, so this loop itself is immune to the steps it detects.
        using var timer = new PeriodicTimer(CheckInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    /// <summary>Compares the clocks since the last check; re-plans the schedules and returns the step when the wall clock stepped, else null.</summary>
    internal async Task<TimeSpan?> CheckAsync(CancellationToken cancellationToken)
    {
        TimeSpan step;
        lock (_lock)
        {
            var wall = timeProvider.GetUtcNow();
            var monotonic = timeProvider.GetTimestamp();
            step = (wall - _wall) - timeProvider.GetElapsedTime(_monotonic, monotonic);
            _replanning = step.Duration() >= Tolerance;
            _wall = wall;
            _monotonic = monotonic;
        }

        if (!_replanning)
        {
            return null;
        }

        try
        {
            var canaries = coordinator.Canaries.ToList();
            LogStepped(logger, step > TimeSpan.Zero ? "forwards" : "backwards", step.Duration(), canaries.Count);
            await scheduling.ScheduleAsync(canaries, cancellationToken, replanAll: true);
            return step;
        }
        finally
        {
            _replanning = false;
        }
    }

    [LoggerMessage(EventId = 435, Level = LogLevel.Warning,
        Message = "The wall clock stepped {Direction} by {Step}; the {Count} canary schedules are re-planned from the new time (no burst of missed runs, no pause). Durations use the monotonic clock and are not affected.")]
    private static partial void LogStepped(ILogger logger, string direction, TimeSpan step, int count);
}
