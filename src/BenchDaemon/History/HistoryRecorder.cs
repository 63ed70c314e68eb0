using System.Text.Json.Nodes;
using BenchDaemon.Telemetry;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.History;

/// <summary>
/// Writes every canary run to the history with its environment fingerprint, records
/// fingerprint changes as events (closing the old series' regressions), and applies retention.
/// Exports the history counters and the environment-change events. What it stored goes on to the
/// regression gate through <see cref="Scheduling.CanaryResults"/>.
/// </summary>
public sealed partial class HistoryRecorder(
    HistoryDatabase database,
    FingerprintProvider fingerprints,
    TimeProvider timeProvider,
    ILogger<HistoryRecorder> logger) : IMetricSource
{
    /// <summary>How often retention runs at most.</summary>
    public static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Field, string From, string To), double> _changes = [];
    private readonly Dictionary<string, long> _errors = HistoryFailure.All.ToDictionary(r => r, _ => 0L, StringComparer.Ordinal);
    private readonly FailureLatch _failing = new();
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;
    private bool _hydrated;

    /// <summary>
    /// Stores <paramref name="result"/> of <paramref name="canary"/>; returns where it went (its
    /// series, and whether the environment changed), or null when it was not stored.
    /// </summary>
    public StoredRunReference? Record(CanaryDefinition canary, CanaryResult result, bool confirmation)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(result);
        if (!database.Options.Enabled)
        {
            return null;
        }

        var store = database.Store;
        if (store is null)
        {
            // HistoryDatabase has said why it cannot open the store.
            Failed(result.Canary, HistoryFailure.Unavailable, null);
            return null;
        }

        try
        {
            Hydrate(store);
            var fingerprint = fingerprints.For(canary, result);
            var id = store.Insert(result, fingerprint, confirmation, database.Options.Samples, result.Disturbed == true);
            var status = result.Status.ToString().ToLowerInvariant();
            string? recovered;
            lock (_lock)
            {
                _runs[status] = _runs.GetValueOrDefault(status) + 1;
                recovered = _failing.Recover();
            }

            if (recovered is not null)
            {
                LogWritesResumed(logger, result.Canary, recovered);
            }

            var series = HistoryStore.SeriesKey(result.Canary, result.Batch, fingerprint.Key());
            var closed = 0;
            var changed = false;
            if (store.Previous(result.Canary, result.Batch, id) is { } previous && previous.Series != series)
            {
                closed = EnvironmentChanged(store, result, previous, fingerprint);
                changed = true;
            }

            PruneIfDue(store);
            return new StoredRunReference(id, series, changed, closed);
        }
#pragma warning disable CA1031 // One run's history must never take the canary lane, or the daemon, down.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var reason = HistoryFailure.Classify(ex);
            // A damaged file never heals: move it aside so that the next run starts a new store.
            // HistoryDatabase counts and logs the move (as it does for a damaged file met at open).
            if (reason == HistoryFailure.Corrupt)
            {
                database.Quarantine(store, ex.Message);
                Failed(result.Canary, reason, null, count: false);
            }
            else
            {
                Failed(result.Canary, reason, ex.Message);
            }

            return null;
        }
    }

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_lock)
        {
            foreach (var (status, count) in _runs)
            {
                writer.Write(TelemetryCatalogue.HistoryRuns, count, status);
            }

            foreach (var ((field, from, to), time) in _changes)
            {
                writer.Write(TelemetryCatalogue.EnvironmentChange, time, field, from, to);
            }

            foreach (var (reason, count) in _errors)
            {
                var total = reason == HistoryFailure.Corrupt ? count + database.Quarantined : count;
                writer.Write(TelemetryCatalogue.HistoryWriteErrors, total, reason);
            }
        }
    }

    // One line when writes start failing or fail for another reason; the same failure again
    // (a canary every few seconds against a full disk) is counted and logged at debug only.
    private void Failed(string canary, string reason, string? message, bool count = true)
    {
        bool first;
        lock (_lock)
        {
            if (count)
            {
                _errors[reason]++;
            }

            first = _failing.Fail(reason);
        }

        if (message is null)
        {
            return;
        }

        if (first)
        {
            LogWriteFailed(logger, canary, reason, message);
        }
        else
        {
            LogWriteFailedAgain(logger, canary, reason, message);
        }
    }

    // Returns how many open regressions of the old series it closed.
    private int EnvironmentChanged(HistoryStore store, CanaryResult result, StoredRun previous, EnvironmentFingerprint fingerprint)
    {
        var changes = fingerprint.Changes(previous.Fingerprint);
        var detail = new JsonObject
        {
            ["batch"] = result.Batch,
            ["fromSeries"] = previous.Series,
            ["changes"] = new JsonArray([.. changes.Select(c => (JsonNode)new JsonObject { ["field"] = c.Field, ["from"] = c.From, ["to"] = c.To })]),
        };
        store.AddEvent(result.StartedAt, HistoryEventKinds.EnvironmentChange, result.Canary, detail);
        var closed = store.CloseRegressions(previous.Series, null, null, result.StartedAt, "environment_changed");
        lock (_lock)
        {
            foreach (var (field, from, to) in changes)
            {
                _changes[(field, Short(from), Short(to))] = result.StartedAt.ToUnixTimeMilliseconds() / 1000.0;
            }
        }

        LogEnvironmentChanged(logger, result.Canary, string.Join(", ", changes.Select(c => $"{c.Field} {c.From} → {c.To}")));
        return closed;
    }

    // Past environment changes stay on /metrics across restarts (Grafana annotations).
    private void Hydrate(HistoryStore store)
    {
        lock (_lock)
        {
            if (_hydrated)
            {
                return;
            }

            _hydrated = true;
        }

        foreach (var change in store.Events(kind: HistoryEventKinds.EnvironmentChange).TakeLast(100))
        {
            var detail = JsonNode.Parse(change.Detail)?["changes"]?.AsArray() ?? [];
            lock (_lock)
            {
                foreach (var item in detail.OfType<JsonObject>())
                {
                    _changes[(item["field"]!.GetValue<string>(), Short(item["from"]!.GetValue<string>()), Short(item["to"]!.GetValue<string>()))] =
                        change.Timestamp.ToUnixTimeMilliseconds() / 1000.0;
                }
            }
        }
    }

    private void PruneIfDue(HistoryStore store)
    {
        var now = timeProvider.GetUtcNow();
        if (now - _lastPrune < PruneInterval)
        {
            return;
        }

        _lastPrune = now;
        var deleted = store.Prune(now, database.Options.MaxAge, database.Options.MaxSizeMegabytes * 1024L * 1024L);
        if (deleted > 0)
        {
            LogPruned(logger, deleted);
        }
    }

    // Model hashes are 64 hex digits: 12 identify a model and keep the label readable.
    private static string Short(string value) =>
        value.Length == 64 && value.All(char.IsAsciiHexDigit) ? value[..12] : value;

    [LoggerMessage(EventId = 610, Level = LogLevel.Error, Message = "History: run of {Canary} not stored ({Reason}: {Problem}); canaries keep running, later runs are retried and counted in benchdaemon_history_write_errors_total")]
    private static partial void LogWriteFailed(ILogger logger, string canary, string reason, string problem);

    [LoggerMessage(EventId = 613, Level = LogLevel.Debug, Message = "History: run of {Canary} not stored ({Reason}: {Problem})")]
    private static partial void LogWriteFailedAgain(ILogger logger, string canary, string reason, string problem);

    [LoggerMessage(EventId = 614, Level = LogLevel.Information, Message = "History: runs are stored again (after {Reason} failures), starting with {Canary}")]
    private static partial void LogWritesResumed(ILogger logger, string canary, string reason);

    [LoggerMessage(EventId = 611, Level = LogLevel.Warning, Message = "Environment of {Canary} changed: {Changes}; a new baseline segment starts")]
    private static partial void LogEnvironmentChanged(ILogger logger, string canary, string changes);

    [LoggerMessage(EventId = 612, Level = LogLevel.Information, Message = "History retention deleted {Runs} runs")]
    private static partial void LogPruned(ILogger logger, int runs);
}
