using System.ComponentModel.DataAnnotations;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Regression;

/// <summary>The regression gate and the change-point analysis (section <c>Regression</c>); see docs/regression.md.</summary>
public sealed class RegressionOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Regression";

    /// <summary>Judge every stored run against its baseline and export verdicts.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Smallest change that matters (0.05 = 5 % worse). The per-metric defaults scale from it: latency_p99 ×2, drift ×10.</summary>
    [Range(0.001, 10)]
    public double MinimumEffect { get; set; } = 0.05;

    /// <summary>Per metric (latency_p50, latency_p99, throughput, energy_per_sample, drift): overrides the scaled default.</summary>
    public Dictionary<string, double> MinimumEffects { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Recent valid runs of the same series that form the rolling baseline.</summary>
    [Range(5, 1000)]
    public int BaselineWindow { get; set; } = DetectorSettings.DefaultBaselineWindow;

    /// <summary>Baseline runs needed before the gate judges (after a fingerprint change or an accepted baseline too).</summary>
    [Range(3, 1000)]
    public int MinimumBaseline { get; set; } = DetectorSettings.DefaultMinimumBaseline;

    /// <summary>Most recent runs the sequential test accumulates evidence over.</summary>
    [Range(1, 200)]
    public int EvidenceWindow { get; set; } = DetectorSettings.DefaultEvidenceWindow;

    /// <summary>Mean stationary runs between false alarms the gate's threshold is set for.</summary>
    [Range(100, 10_000_000)]
    public double FalseAlarmRunLength { get; set; } = DetectorSettings.DefaultFalseAlarmRunLength;

    /// <summary>Ask for confirmation re-runs of a suspicious canary (spaced by <see cref="ConfirmationGap"/>, within the guards and duty budget); they add evidence but cannot open a regression on their own.</summary>
    public bool Confirmation { get; set; } = true;

    /// <summary>Confirmation re-runs at most after one scheduled run, and no more than fit before the next one at the canary's cadence.</summary>
    [Range(1, RegressionDetector.MaxConfirmations)]
    public int ConfirmationRuns { get; set; } = DetectorSettings.DefaultConfirmationRuns;

    /// <summary>Least time between a run and the confirmation re-run it prompts (and between re-runs), so that they do not share a slow moment of the machine.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ConfirmationGap { get; set; } = DetectorSettings.DefaultConfirmationGap;

    /// <summary>How far past the baseline, in normal scores of the baseline's own distribution, a scheduled run (with its re-runs) must be to be suspicious.</summary>
    [Range(0.0, 5.0)]
    public double SuspicionZ { get; set; } = DetectorSettings.DefaultSuspicionZ;

    /// <summary>Consecutive scheduled runs that must each be suspicious (with their re-runs) before a regression opens.</summary>
    [Range(1, RegressionDetector.MaxPersistRuns)]
    public int PersistRuns { get; set; } = DetectorSettings.DefaultPersistRuns;

    /// <summary>Consecutive scheduled runs back within half the minimum effect before an open regression clears.</summary>
    [Range(1, RegressionDetector.MaxPersistRuns)]
    public int ClearRuns { get; set; } = DetectorSettings.DefaultClearRuns;

    /// <summary>
    /// How long a verdict is held back when every canary of its lane shifted with it and no other
    /// process's CPU use explains it — the host's own slowdown (a hypervisor, a neighbour's memory
    /// traffic), not the software's; a shift that lasts longer opens, dated from its start.
    /// 0 opens such shifts at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan HostShiftHold { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Fewest runs between two change points of the history tier (report, history).</summary>
    [Range(2, 1000)]
    public int ChangePointMinimumSegment { get; set; } = 10;

    /// <summary>What attributes cannot say: metric names and their effects, the baseline within its window, persistence within the evidence window.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinimumBaseline > BaselineWindow)
        {
            yield return OptionsMember.Fail(validationContext, nameof(MinimumBaseline), $"{MinimumBaseline} is larger than {nameof(BaselineWindow)} {BaselineWindow}");
        }

        if (PersistRuns > EvidenceWindow)
        {
            yield return OptionsMember.Fail(validationContext, nameof(PersistRuns), $"{PersistRuns} is larger than {nameof(EvidenceWindow)} {EvidenceWindow}");
        }

        // The same rules as a canary's overrides, under this section's key.
        var section = OptionsMember.Key(validationContext, string.Empty).TrimEnd(':');
        var effects = new CanaryRegressionOptionsValidator().Validate(section, new CanaryRegressionOptions { MinimumEffects = MinimumEffects });
        foreach (var failure in effects.Failed ? effects.Failures : [])
        {
            yield return new ValidationResult(failure);
        }
    }

    /// <summary>The built-in multiple of <see cref="MinimumEffect"/> per metric.</summary>
    public static double DefaultFactor(string metric) => metric switch
    {
        RegressionMetricNames.LatencyP99 => 2,
        RegressionMetricNames.Drift => 10,
        _ => 1,
    };
}
