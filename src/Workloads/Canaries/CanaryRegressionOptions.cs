using System.ComponentModel.DataAnnotations;
using BenchDaemon.Probes;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>Per-canary overrides of the regression gate (section <c>Canaries:N:Regression</c>).</summary>
public sealed class CanaryRegressionOptions : IValidatableObject
{
    /// <summary>Smallest change that matters for this canary (0.05 = 5 %); unset: <c>Regression:MinimumEffect</c>.</summary>
    public double? MinimumEffect { get; set; }

    /// <summary>Per metric (latency_p50, latency_p99, throughput, energy_per_sample, drift), overriding everything else.</summary>
    public Dictionary<string, double> MinimumEffects { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Effects within (0, 10], metrics the gate knows.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinimumEffect is { } effect && effect is not (> 0 and <= 10))
        {
            yield return OptionsMember.Fail(validationContext, nameof(MinimumEffect), $"{effect} is outside (0, 10] (0.05 = 5 %)");
        }

        foreach (var (metric, value) in MinimumEffects)
        {
            if (!RegressionMetricNames.All.Contains(metric, StringComparer.OrdinalIgnoreCase))
            {
                yield return OptionsMember.Fail(validationContext, $"{nameof(MinimumEffects)}:{metric}", $"unknown metric; metrics are {string.Join(", ", RegressionMetricNames.All)}");
            }
            else if (value is not (> 0 and <= 10))
            {
                yield return OptionsMember.Fail(validationContext, $"{nameof(MinimumEffects)}:{metric}", $"{value} is outside (0, 10] (0.05 = 5 %)");
            }
        }
    }
}
