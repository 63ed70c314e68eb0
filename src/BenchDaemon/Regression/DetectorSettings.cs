namespace BenchDaemon.Regression;

/// <summary>The settings of one run of <see cref="RegressionDetector"/> for one metric of one series.</summary>
/// <param name="MinimumEffect">Smallest change that matters, as a fraction (0.05 = 5 % worse).</param>
/// <param name="BaselineWindow">Most recent runs of the series that form the baseline.</param>
/// <param name="MinimumBaseline">Runs the baseline needs before the gate judges at all.</param>
/// <param name="EvidenceWindow">Most recent runs the sequential test accumulates evidence over.</param>
/// <param name="FalseAlarmRunLength">Mean number of stationary runs between false alarms the threshold is set for.</param>
/// <param name="Confirmation">When true, a suspicious run is re-run at once and the re-runs alone can open an alarm.</param>
/// <param name="HigherIsWorse">True for latency and energy, false for throughput.</param>
/// <param name="ConfirmationRuns">Immediate re-runs (k) after a suspicious scheduled run.</param>
/// <param name="SuspicionZ">How far past the baseline centre, in between-run scales, a scheduled run must be to be re-run.</param>
public sealed record DetectorSettings(
    double MinimumEffect,
    int BaselineWindow = DetectorSettings.DefaultBaselineWindow,
    int MinimumBaseline = DetectorSettings.DefaultMinimumBaseline,
    int EvidenceWindow = DetectorSettings.DefaultEvidenceWindow,
    double FalseAlarmRunLength = DetectorSettings.DefaultFalseAlarmRunLength,
    bool Confirmation = true,
    bool HigherIsWorse = true,
    int ConfirmationRuns = DetectorSettings.DefaultConfirmationRuns,
    double SuspicionZ = DetectorSettings.DefaultSuspicionZ)
{
    public const int DefaultConfirmationRuns = 12;
    public const double DefaultSuspicionZ = 1.0;
    public const int DefaultBaselineWindow = 60;
    public const int DefaultMinimumBaseline = 10;
    public const int DefaultEvidenceWindow = 12;
    public const double DefaultFalseAlarmRunLength = 3_000;
}
