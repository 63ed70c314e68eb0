namespace BenchDaemon.Regression;

/// <summary>The settings of one run of <see cref="RegressionDetector"/> for one metric of one series.</summary>
/// <param name="MinimumEffect">Smallest change that matters, as a fraction (0.05 = 5 % worse).</param>
/// <param name="BaselineWindow">Most recent scheduled runs of the series that form the baseline.</param>
/// <param name="MinimumBaseline">Runs the baseline needs before the gate judges at all.</param>
/// <param name="EvidenceWindow">Most recent scheduled runs the sequential test accumulates evidence over.</param>
/// <param name="FalseAlarmRunLength">Mean number of stationary scheduled runs between false alarms the thresholds are set for.</param>
/// <param name="Confirmation">When true, the gate asks for confirmation re-runs (spaced by <see cref="ConfirmationGap"/>) while it suspects a regression.</param>
/// <param name="HigherIsWorse">True for latency and energy, false for throughput.</param>
/// <param name="ConfirmationRuns">Confirmation re-runs at most after one scheduled run.</param>
/// <param name="SuspicionZ">How far past the baseline, as a normal score of the baseline's own distribution, a scheduled run (with its re-runs) must be to count as suspicious.</param>
/// <param name="PersistRuns">Consecutive scheduled runs (each with its re-runs) that must all be suspicious before a regression opens.</param>
/// <param name="ClearRuns">Consecutive scheduled runs back within half the minimum effect before an open regression clears.</param>
public sealed record DetectorSettings(
    double MinimumEffect,
    int BaselineWindow = DetectorSettings.DefaultBaselineWindow,
    int MinimumBaseline = DetectorSettings.DefaultMinimumBaseline,
    int EvidenceWindow = DetectorSettings.DefaultEvidenceWindow,
    double FalseAlarmRunLength = DetectorSettings.DefaultFalseAlarmRunLength,
    bool Confirmation = true,
    bool HigherIsWorse = true,
    int ConfirmationRuns = DetectorSettings.DefaultConfirmationRuns,
    double SuspicionZ = DetectorSettings.DefaultSuspicionZ,
    int PersistRuns = DetectorSettings.DefaultPersistRuns,
    int ClearRuns = DetectorSettings.DefaultClearRuns)
{
    public const int DefaultConfirmationRuns = 4;
    public const double DefaultSuspicionZ = 1.0;
    public const int DefaultBaselineWindow = 60;
    public const int DefaultMinimumBaseline = 10;
    public const int DefaultEvidenceWindow = 12;
    public const double DefaultFalseAlarmRunLength = 3_000;
    public const int DefaultPersistRuns = 2;
    public const int DefaultClearRuns = 3;

    /// <summary>Default of <see cref="ConfirmationGap"/>.</summary>
    public static readonly TimeSpan DefaultConfirmationGap = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Least time between a run and the confirmation re-run it prompts (and between two
    /// re-runs): a machine slow for a minute makes a run and an immediate re-run slow together,
    /// so spaced re-runs are closer to independent draws.
    /// </summary>
    public TimeSpan ConfirmationGap { get; init; } = DefaultConfirmationGap;
}
