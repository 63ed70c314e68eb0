using BenchDaemon.History;

namespace BenchDaemon.Regression;

/// <summary>The gate's answer for the newest run of one metric of one series.</summary>
/// <param name="State">What it concluded.</param>
/// <param name="Ratio">Current over baseline as measured (latency 1.10 = 10 % slower, throughput 0.90 = 10 % lower); null while learning.</param>
/// <param name="RatioLower">Lower confidence bound of <paramref name="Ratio"/> (95 % one-sided each side).</param>
/// <param name="RatioUpper">Upper confidence bound of <paramref name="Ratio"/>.</param>
/// <param name="Evidence">The step statistic (z of the last scheduled runs and their re-runs) or, when that opened the regression, the CUSUM in units of the baseline's between-run scale.</param>
/// <param name="Threshold">The threshold <paramref name="Evidence"/> is judged against.</param>
/// <param name="Regression">The open regression after this run (null when none).</param>
public sealed record Verdict(
    RegressionState State,
    double? Ratio,
    double? RatioLower,
    double? RatioUpper,
    double Evidence,
    double Threshold,
    OpenRegression? Regression)
{
    /// <summary>True while a regression is open (also on the run that opened it).</summary>
    public bool Active => Regression is not null;

    /// <summary>
    /// When the gate wants a confirmation re-run of the series: not before this time (the
    /// newest run plus <see cref="DetectorSettings.ConfirmationGap"/>); null when it wants none.
    /// A scheduled run that comes first makes the gate decide again.
    /// </summary>
    public DateTimeOffset? ConfirmNotBefore { get; init; }

    /// <summary>Consecutive scheduled runs, up to the newest, that the gate found suspicious (with their re-runs).</summary>
    public int Persisted { get; init; }
}
