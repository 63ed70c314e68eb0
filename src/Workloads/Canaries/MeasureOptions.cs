using System.ComponentModel.DataAnnotations;
using System.Globalization;
using BenchDaemon.Probes;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// How long a canary measures (section <c>Canaries:N:Measure</c>): ranges as attributes, the rules
/// across settings in <see cref="Validate"/>, both run by <see cref="MeasureOptionsValidator"/>.
/// </summary>
public sealed class MeasureOptions : IValidatableObject
{
    /// <summary>Default of <see cref="MedianPrecision"/>: the median known to ±1 % at 95 % confidence.</summary>
    public const double DefaultMedianPrecision = 0.01;

    /// <summary>Default of <see cref="WindowAgreement"/>.</summary>
    public const double DefaultWindowAgreement = 0.05;

    /// <summary>Default of <see cref="TailConfidence"/>.</summary>
    public const double DefaultTailConfidence = 0.95;

    /// <summary>Without <see cref="MaxDuration"/>, precision is sought for up to this many times <see cref="MinDuration"/>.</summary>
    public const int DefaultPrecisionDurationFactor = 5;

    /// <summary>Measure at least this many iterations…</summary>
    [Range(1, CanaryExpander.MaxIterations)]
    public int MinIterations { get; set; } = 100;

    /// <summary>…and for at least this long (at most <see cref="Budget"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MinDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// After the minimums, measurement goes on until the run is precise (<see cref="MedianPrecision"/>,
    /// <see cref="WindowAgreement"/>, <see cref="TailConfidence"/>) but for no longer than this
    /// window; null means <see cref="DefaultPrecisionDurationFactor"/> × <see cref="MinDuration"/>.
    /// Never past <see cref="Budget"/>.
    /// </summary>
    public TimeSpan? MaxDuration { get; set; }

    /// <summary>Hard limit for warm-up plus measurement; a run still going is cancelled and reported failed. At most 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", MinimumIsExclusive = true)]
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Warm-up never stops before this many iterations.</summary>
    [Range(0, CanaryExpander.MaxIterations)]
    public int WarmupMinIterations { get; set; } = 10;

    /// <summary>Warm-up stops at this many iterations even if not yet stable.</summary>
    [Range(1, CanaryExpander.MaxIterations)]
    public int WarmupMaxIterations { get; set; } = 1000;

    /// <summary>Warm-up stops after this long even if not yet stable.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan WarmupMaxDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Warm-up is stable when the median of two consecutive blocks differs by less than this share.</summary>
    [Range(0d, 1d, MinimumIsExclusive = true)]
    public double WarmupTolerance { get; set; } = 0.05;

    /// <summary>
    /// A run is <c>ok</c> only when the 95 % confidence interval of its median latency reaches
    /// no further than this share of the median on either side (0.01 = ±1 %).
    /// </summary>
    [Range(0d, 1d, MinimumIsExclusive = true)]
    public double MedianPrecision { get; set; } = DefaultMedianPrecision;

    /// <summary>
    /// A run is <c>ok</c> only when the medians of its three consecutive windows (thirds of its
    /// calls, in time order) differ by at most this share of the lowest (0.05 = 5 %).
    /// </summary>
    [Range(0d, 10d, MinimumIsExclusive = true)]
    public double WindowAgreement { get; set; } = DefaultWindowAgreement;

    /// <summary>
    /// A run is <c>ok</c> only when its p99 rests on enough calls: an order statistic of the
    /// sample, with at least one call above it, bounds the true p99 from above at this
    /// confidence (MLPerf LoadGen's early-stopping rule; 473 calls at 0.95, 662 at 0.99).
    /// </summary>
    [Range(0.5, 0.9999)]
    public double TailConfidence { get; set; } = DefaultTailConfidence;

    /// <summary>Reported only: the coefficient of variation no longer decides the status (the precision of the median does).</summary>
    public double MaxCoefficientOfVariation { get; set; } = 0.25;

    /// <summary>The longest measured window the loop seeks precision for (<see cref="MaxDuration"/> or its default).</summary>
    public TimeSpan PrecisionDuration => MaxDuration ?? (MinDuration * DefaultPrecisionDurationFactor);

    /// <summary>
    /// Rules across settings: the minimum duration within the budget, the warm-up cap not below
    /// its minimum, the precision window (<see cref="MaxDuration"/>) between the minimum duration
    /// and 1 h. Each names its key and the values it compared.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Only against a budget in range: one out of range is the attribute's failure.
        if (Budget > TimeSpan.Zero && Budget <= CanaryExpander.MaxRunTime && MinDuration > Budget)
        {
            yield return OptionsMember.Fail(validationContext, nameof(MinDuration), $"{MinDuration} is longer than the budget {Budget}");
        }

        if (WarmupMinIterations >= 0 && WarmupMaxIterations >= 1 && WarmupMaxIterations < WarmupMinIterations)
        {
            yield return OptionsMember.Fail(validationContext, nameof(WarmupMaxIterations), $"{WarmupMaxIterations} is less than {OptionsMember.Key(validationContext, nameof(WarmupMinIterations))} ({WarmupMinIterations})");
        }

        // Not an attribute: "finite" has no bound to name; a range up to double.MaxValue would print that number as the limit.
        if (!(MaxCoefficientOfVariation >= 0 && double.IsFinite(MaxCoefficientOfVariation)))
        {
            yield return OptionsMember.Fail(validationContext, nameof(MaxCoefficientOfVariation), string.Create(CultureInfo.InvariantCulture, $"must be a finite number, not negative, got {MaxCoefficientOfVariation}"));
        }

        if (MaxDuration is { } max && (max < MinDuration || max > CanaryExpander.MaxRunTime))
        {
            yield return OptionsMember.Fail(validationContext, nameof(MaxDuration), $"{max} is outside MinDuration {MinDuration}-{CanaryExpander.MaxRunTime}");
        }
    }
}
