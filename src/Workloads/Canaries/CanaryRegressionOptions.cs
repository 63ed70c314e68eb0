namespace BenchDaemon.Workloads.Canaries;

/// <summary>Per-canary overrides of the regression gate (section <c>Canaries:N:Regression</c>).</summary>
public sealed class CanaryRegressionOptions
{
    /// <summary>Problems with these options, keyed under <paramref name="key"/>.</summary>
    public IEnumerable<(string Key, string Problem)> Validate(string key)
    {
        if (MinimumEffect is { } effect && effect is not (> 0 and <= 10))
        {
            yield return ($"{key}:MinimumEffect", $"{effect} is outside (0, 10] (0.05 = 5 %)");
        }

        foreach (var (metric, value) in MinimumEffects)
        {
            if (!RegressionMetricNames.All.Contains(metric, StringComparer.OrdinalIgnoreCase))
            {
                yield return ($"{key}:MinimumEffects:{metric}", $"unknown metric; metrics are {string.Join(", ", RegressionMetricNames.All)}");
            }
            else if (value is not (> 0 and <= 10))
            {
                yield return ($"{key}:MinimumEffects:{metric}", $"{value} is outside (0, 10] (0.05 = 5 %)");
            }
        }
    }

    /// <summary>Smallest change that matters for this canary (0.05 = 5 %); unset: <c>Regression:MinimumEffect</c>.</summary>
    public double? MinimumEffect { get; set; }

    /// <summary>Per metric (latency_p50, latency_p99, throughput, energy_per_sample, drift), overriding everything else.</summary>
    public Dictionary<string, double> MinimumEffects { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
