using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Plans the interval of the canaries whose schedule fits the duty budget
/// (<see cref="CanarySchedule.FitDutyBudget"/>; the built-in defaults) from what they cost: all
/// of them together, once per interval, must stay under <see cref="Margin"/> of
/// <c>Guards:DutyFraction</c> of the time, so that in steady state none is skipped for the budget.
/// The configured interval is the floor. A plan changes when the need grows past it, or falls
/// below <see cref="ShrinkBelow"/> of it (hysteresis: a run that was a little faster does not
/// move every trigger); <see cref="Replanned"/> then tells the scheduler.
/// </summary>
public sealed partial class CadencePlanner(IOptionsMonitor<GuardOptions> guards, ILogger<CadencePlanner> logger)
{
    /// <summary>The share of the duty budget the planned canaries may use (the rest is headroom for confirmations and slower runs).</summary>
    public const double Margin = 0.8;

    /// <summary>A plan shrinks only when the need fell below this share of it.</summary>
    public const double ShrinkBelow = 0.7;

    /// <summary>Plans are whole minutes.</summary>
    public static readonly TimeSpan Rounding = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, TimeSpan> _costs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _floors = new(StringComparer.Ordinal);
    private TimeSpan? _planned;

    /// <summary>Raised (on the caller's thread) with the new interval when the plan changed.</summary>
    public event Action<TimeSpan>? Replanned;

    /// <summary>The interval in force for the fitted canaries, or null while their floor applies.</summary>
    public TimeSpan? Planned
    {
        get
        {
            lock (_lock)
            {
                return _planned;
            }
        }
    }

    /// <summary>
    /// The interval fitted canaries that cost <paramref name="costs"/> per round need: the sum of
    /// the costs over (<paramref name="dutyFraction"/> × margin), rounded up to whole minutes,
    /// never below <paramref name="floor"/>. A pure function of its inputs.
    /// </summary>
    public static TimeSpan Need(IEnumerable<TimeSpan> costs, double dutyFraction, TimeSpan floor)
    {
        ArgumentNullException.ThrowIfNull(costs);
        if (dutyFraction >= 1)
        {
            return floor;
        }

        var total = costs.Aggregate(TimeSpan.Zero, (sum, cost) => sum + cost);
        var need = total / (dutyFraction * Margin);
        var rounded = TimeSpan.FromTicks((long)Math.Ceiling(need.Ticks / (double)Rounding.Ticks) * Rounding.Ticks);
        return rounded > floor ? rounded : floor;
    }

    /// <summary>
    /// <paramref name="canaries"/> with the planned interval in place of the floor of each fitted
    /// canary (the scheduler applies it at start and after a reload).
    /// </summary>
    public IReadOnlyList<CanaryDefinition> Apply(IReadOnlyList<CanaryDefinition> canaries)
    {
        ArgumentNullException.ThrowIfNull(canaries);
        TimeSpan? planned;
        lock (_lock)
        {
            foreach (var canary in canaries.Where(c => c.Schedule.FitDutyBudget))
            {
                _floors[canary.Name] = canary.Schedule.Interval;
            }

            planned = _planned;
        }

        return planned is not { } interval
            ? canaries
            : [.. canaries.Select(c => c.Schedule.FitDutyBudget && interval > c.Schedule.Interval ? c with { Schedule = c.Schedule with { Interval = interval } } : c)];
    }

    /// <summary>
    /// Records that <paramref name="canary"/> (fitted) took <paramref name="cost"/> of the budget
    /// and re-plans over <paramref name="fitted"/> (the fitted canaries scheduled now, with their floors).
    /// </summary>
    public void Observe(CanaryDefinition canary, TimeSpan cost, IReadOnlyCollection<CanaryDefinition> fitted)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(fitted);
        TimeSpan? changed = null;
        TimeSpan total;
        lock (_lock)
        {
            _costs[canary.Name] = cost;
            var names = fitted.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _costs.Keys.Where(n => !names.Contains(n)).ToList())
            {
                _costs.Remove(gone);
            }

            // Canaries that have not run yet are assumed to cost what the dearest one did.
            var dearest = _costs.Values.Max();
            var costs = fitted.Select(c => _costs.TryGetValue(c.Name, out var known) ? known : dearest).ToList();
            total = costs.Aggregate(TimeSpan.Zero, (sum, c) => sum + c);
            var floor = fitted.Max(c => _floors.TryGetValue(c.Name, out var f) ? f : c.Schedule.Interval);
            var need = Need(costs, guards.CurrentValue.DutyFraction, floor);
            var current = _planned ?? floor;
            // Grow at once; shrink past the hysteresis, or back to the floor as soon as it suffices.
            if (need > current || need < current * ShrinkBelow || (need == floor && current > floor))
            {
                _planned = need > floor ? need : null;
                changed = need;
            }
        }

        if (changed is { } interval)
        {
            LogReplanned(logger, fitted.Count, interval, total.TotalSeconds, guards.CurrentValue.DutyFraction);
            Replanned?.Invoke(interval);
        }
    }

    [LoggerMessage(EventId = 424, Level = LogLevel.Information, Message = "The {Count} canaries fitted to the duty budget now run every {Interval}: together they took {Seconds:F0} s per round and may use {Fraction:P1} of the time (Guards:DutyFraction) with headroom")]
    private static partial void LogReplanned(ILogger logger, int count, TimeSpan interval, double seconds, double fraction);
}
