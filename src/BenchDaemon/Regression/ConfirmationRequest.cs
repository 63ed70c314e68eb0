namespace BenchDaemon.Regression;

/// <summary>
/// A confirmation re-run the regression gate wants (<see cref="RegressionMonitor.Next"/>): run
/// <paramref name="Canary"/> at <paramref name="Batch"/> once more, not before
/// <paramref name="NotBefore"/>, and record it as a confirmation. If the canary's next scheduled
/// run comes first, run that instead: the gate decides again after every run, and a request
/// can move, change or go away.
/// </summary>
/// <param name="Canary">The canary to re-run.</param>
/// <param name="Batch">The batch size to re-run.</param>
/// <param name="NotBefore">The earliest time for the re-run: the newest run plus <c>Regression:ConfirmationGap</c>.</param>
/// <param name="Metrics">The metrics whose verdicts asked for it (<see cref="RegressionMetrics"/> names).</param>
public sealed record ConfirmationRequest(string Canary, int Batch, DateTimeOffset NotBefore, IReadOnlyList<string> Metrics);
