namespace BenchDaemon.Workloads.Canaries;

/// <summary>How long a canary measures (section <c>Canaries:N:Measure</c>); checked by <see cref="CanaryExpander"/>.</summary>
public sealed class MeasureOptions
{
    /// <summary>Measure at least this many iterations…</summary>
    public int MinIterations { get; set; } = 100;

    /// <summary>…and for at least this long.</summary>
    public TimeSpan MinDuration { get; set; } = TimeSpan.FromSeconds(2);

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

    /// <summary>A run whose latency coefficient of variation exceeds this is <c>unstable</c>.</summary>
    public double MaxCoefficientOfVariation { get; set; } = 0.25;
}
