namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// The metrics of a canary result that the regression gate judges: the <c>metric</c> label of
/// its series and the keys of <c>Regression:MinimumEffects</c> and <c>Canaries:N:Regression:MinimumEffects</c>.
/// </summary>
public static class RegressionMetricNames
{
    public const string LatencyP50 = "latency_p50";
    public const string LatencyP99 = "latency_p99";
    public const string Throughput = "throughput";
    public const string EnergyPerSample = "energy_per_sample";
    public const string Drift = "drift";

    /// <summary>Every judged metric, in the order the gate judges them.</summary>
    public static IReadOnlyList<string> All { get; } = [LatencyP50, LatencyP99, Throughput, EnergyPerSample, Drift];
}
