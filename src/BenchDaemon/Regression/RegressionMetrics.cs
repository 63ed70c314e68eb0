using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Regression;

/// <summary>The metrics of a run the gate judges: name (the <c>metric</c> label), value, direction.</summary>
public static class RegressionMetrics
{
    /// <summary>Every judged metric (<see cref="RegressionMetricNames"/>) with how to read it from a result and whether higher is worse.</summary>
    public static IReadOnlyList<(string Name, Func<CanaryResult, double?> Value, bool HigherIsWorse)> All { get; } =
    [
        (RegressionMetricNames.LatencyP50, r => r.LatencySeconds?.P50, true),
        (RegressionMetricNames.LatencyP99, r => r.LatencySeconds?.P99, true),
        (RegressionMetricNames.Throughput, r => r.ThroughputSamplesPerSecond, false),
        (RegressionMetricNames.EnergyPerSample, r => r.EnergyJoulesPerSample, true),
        (RegressionMetricNames.Drift, r => r.Drift?.MaxAbsError, true),
    ];

    /// <summary>The minimum effect of <paramref name="metric"/> for <paramref name="canary"/>: canary metric override, canary override scaled, global metric override, global scaled.</summary>
    public static double MinimumEffect(string metric, RegressionOptions options, CanaryRegressionOptions? canary)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (canary?.MinimumEffects.TryGetValue(metric, out var perCanaryMetric) == true)
        {
            return perCanaryMetric;
        }

        if (canary?.MinimumEffect is { } perCanary)
        {
            return perCanary * RegressionOptions.DefaultFactor(metric);
        }

        return options.MinimumEffects.TryGetValue(metric, out var perMetric) ? perMetric : options.MinimumEffect * RegressionOptions.DefaultFactor(metric);
    }
}
