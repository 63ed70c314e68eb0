using BenchDaemon.History;
using BenchDaemon.Regression;
using BenchDaemon.Telemetry;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Where every canary result goes, one way: the metrics and the log (<see cref="CanaryResultSink"/>),
/// the history, then the regression gate, which reads the stored run. Nothing here answers the
/// producer; the coordinator asks the gate itself whether a confirmation run is wanted
/// (<see cref="RegressionMonitor.Next"/>).
/// </summary>
public sealed class CanaryResults(CanaryResultSink metrics, HistoryRecorder? history = null, RegressionMonitor? gate = null)
{
    /// <summary>Publishes <paramref name="result"/> of <paramref name="canary"/> (a confirmation run when <paramref name="confirmation"/>).</summary>
    public void Publish(CanaryDefinition canary, CanaryResult result, bool confirmation = false)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(result);
        metrics.Record(result);
        if (history?.Record(canary, result, confirmation) is not { } stored || gate is null)
        {
            return;
        }

        if (stored.EnvironmentChanged)
        {
            gate.Forget(result, stored.ClosedRegressions > 0);
        }

        gate.Judge(canary, result, stored.Series);
    }

    /// <summary>Counts runs that never started (dropped or refused by a guard): metrics and log only.</summary>
    public void PublishSkip(CanaryDefinition canary, string code, string reason) => metrics.RecordSkip(canary, code, reason);
}
