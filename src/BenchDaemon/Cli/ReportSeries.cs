using BenchDaemon.Regression;

namespace BenchDaemon.Cli;

/// <summary>One line of the report chart: a canary at one batch size.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="Points">Time and p50 latency in seconds, oldest first.</param>
/// <param name="ChangePoints">Change points of the history tier.</param>
/// <param name="Regressions">Regression spans: start, and end (null while open).</param>
/// <param name="EnvironmentChanges">Times the fingerprint changed.</param>
public sealed record ReportSeries(
    string Label,
    IReadOnlyList<(DateTimeOffset Time, double Seconds)> Points,
    IReadOnlyList<ChangePoint> ChangePoints,
    IReadOnlyList<(DateTimeOffset Start, DateTimeOffset? End)> Regressions,
    IReadOnlyList<DateTimeOffset> EnvironmentChanges);
