using System.ComponentModel.DataAnnotations;

namespace BenchDaemon.Regression;

/// <summary>The regression gate and the change-point analysis (section <c>Regression</c>); see docs/regression.md.</summary>
public sealed class RegressionOptions
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

    /// <summary>Re-run a suspicious canary at once (within the guards and duty budget); its re-runs, judged on their own, can open an alarm.</summary>
    public bool Confirmation { get; set; } = true;

    /// <summary>Immediate re-runs (k) after a suspicious scheduled run; fewer when half of them show nothing.</summary>
    [Range(1, RegressionDetector.MaxConfirmations)]
    public int ConfirmationRuns { get; set; } = DetectorSettings.DefaultConfirmationRuns;

    /// <summary>How far past the baseline centre, in between-run scales, a scheduled run must be to be re-run.</summary>
    [Range(0.0, 5.0)]
    public double SuspicionZ { get; set; } = DetectorSettings.DefaultSuspicionZ;

    /// <summary>Fewest runs between two change points of the history tier (report, history).</summary>
    [Range(2, 1000)]
    public int ChangePointMinimumSegment { get; set; } = 10;

    /// <summary>The built-in multiple of <see cref="MinimumEffect"/> per metric.</summary>
    public static double DefaultFactor(string metric) => metric switch
    {
        RegressionMetrics.LatencyP99 => 2,
        RegressionMetrics.Drift => 10,
        _ => 1,
    };
}
