namespace BenchDaemon.Workloads.Canaries;

/// <summary>How long a canary measures (section <c>Canaries:N:Measure</c>); checked by <see cref="CanaryExpander"/>.</summary>
public sealed class MeasureOptions
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
    public int MinIterations { get; set; } = 100;

    /// <summary>…and for at least this long.</summary>
    public TimeSpan MinDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// After the minimums, measurement goes on until the run is precise (<see cref="MedianPrecision"/>,
    /// <see cref="WindowAgreement"/>, <see cref="TailConfidence"/>) but for no longer than this
    /// window; null means <see cref="DefaultPrecisionDurationFactor"/> × <see cref="MinDuration"/>.
    /// Never past <see cref="Budget"/>.
    /// </summary>
    public TimeSpan? MaxDuration { get; set; }

    /// <summary>Hard limit for warm-up plus measurement; a run still going is cancelled and reported failed.</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Warm-up never stops before this many iterations.</summary>
    public int WarmupMinIterations { get; set; } = 10;

    /// <summary>Warm-up stops at this many iterations even if not yet stable.</summary>
    public int WarmupMaxIterations { get; set; } = 1000;

    /// <summary>Warm-up stops after this long even if not yet stable.</summary>
    public TimeSpan WarmupMaxDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Warm-up is stable when the median of two consecutive blocks differs by less than this share.</summary>
    public double WarmupTolerance { get; set; } = 0.05;

    /// <summary>
    /// A run is <c>ok</c> only when the 95 % confidence interval of its median latency reaches
    /// no further than this share of the median on either side (0.01 = ±1 %).
    /// </summary>
    public double MedianPrecision { get; set; } = DefaultMedianPrecision;

    /// <summary>
    /// A run is <c>ok</c> only when the medians of its three consecutive windows (thirds of its
    /// calls, in time order) differ by at most this share of the lowest (0.05 = 5 %).
    /// </summary>
    public double WindowAgreement { get; set; } = DefaultWindowAgreement;

    /// <summary>
    /// A run is <c>ok</c> only when its p99 rests on enough calls: an order statistic of the
    /// sample, with at least one call above it, bounds the true p99 from above at this
    /// confidence (MLPerf LoadGen's early-stopping rule; 473 calls at 0.95, 662 at 0.99).
    /// </summary>
    public double TailConfidence { get; set; } = DefaultTailConfidence;

    /// <summary>Reported only: the coefficient of variation no longer decides the status (the precision of the median does).</summary>
    public double MaxCoefficientOfVariation { get; set; } = 0.25;

    /// <summary>The longest measured window the loop seeks precision for (<see cref="MaxDuration"/> or its default).</summary>
    public TimeSpan PrecisionDuration => MaxDuration ?? (MinDuration * DefaultPrecisionDurationFactor);
}
