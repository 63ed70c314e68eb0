using System.Globalization;
using System.Text.Json.Nodes;
using BenchDaemon.History;
using BenchDaemon.Telemetry;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Regression;

/// <summary>
/// Runs the gate for every judged metric of each stored run, keeps open regressions in the
/// store (so they survive restarts and <c>baseline accept</c> from the CLI closes them), and
/// exports the verdicts. The coordinator asks it for confirmation re-runs with
/// <see cref="Next"/>; nothing flows back into the run that was judged. The open regressions are
/// re-read from the store on the monitor's own timer, never at a scrape.
/// </summary>
public sealed partial class RegressionMonitor(
    HistoryDatabase database,
    IOptionsMonitor<RegressionOptions> options,
    TimeProvider timeProvider,
    ILogger<RegressionMonitor> logger) : IMetricSource, IHostedService, IDisposable
{
    /// <summary>How often open regressions are re-read from the store (to see a CLI's baseline accept).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<Key, Entry> _entries = [];
    private readonly Dictionary<(string Canary, int Batch), ConfirmationRequest> _requests = [];
    private readonly Dictionary<LaneKey, LaneMark> _lane = [];
    private readonly Dictionary<(string Series, string Metric), OpenRegression> _held = [];
    private ITimer? _refresh;

    /// <summary>
    /// The confirmation re-run the gate wants for <paramref name="canary"/> at
    /// <paramref name="batch"/> after the runs judged so far, or null. Ask after every recorded
    /// run of the canary (scheduled or confirmation) and again right before running a planned
    /// confirmation: a scheduled run in between makes the gate decide anew.
    /// </summary>
    public ConfirmationRequest? Next(string canary, int batch)
    {
        lock (_lock)
        {
            return _requests.GetValueOrDefault((canary, batch));
        }
    }

    /// <summary>Starts re-reading open regressions every <see cref="RefreshInterval"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _refresh = timeProvider.CreateTimer(_ => RefreshOnTimer(), null, TimeSpan.Zero, RefreshInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _refresh?.Dispose();
        _refresh = null;
    }

    // A timer callback that throws would end the process: whatever the store does, it is logged.
    private void RefreshOnTimer()
    {
        try
        {
            Refresh();
        }
#pragma warning disable CA1031 // The daemon must outlive any failure of a background refresh.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogRefreshFailed(logger, ex.Message);
        }
    }

    /// <summary>
    /// Judges the newest run of <paramref name="series"/> (just stored with its confirmation and
    /// disturbed flags) and keeps the confirmation re-run the gate wants, if any (<see cref="Next"/>).
    /// </summary>
    public void Judge(CanaryDefinition canary, CanaryResult result, string series)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(result);
        if (database.Store is { } store)
        {
            JudgeRun(store, canary, result, series);
        }
    }

    private void JudgeRun(HistoryStore store, CanaryDefinition canary, CanaryResult result, string series)
    {
        var settings = options.CurrentValue;
        if (!settings.Enabled || result.LatencySeconds is null)
        {
            lock (_lock)
            {
                _requests.Remove((result.Canary, result.Batch));
            }

            return;
        }

        var since = store.LastAccepted(result.Canary) ?? DateTimeOffset.MinValue;
        var runs = store.SeriesRuns(series, since, settings.BaselineWindow + settings.EvidenceWindow + 300)
            .Where(r => r.Result.Status is CanaryStatus.Ok or CanaryStatus.Unstable)
            .ToList();
        var all = store.Regressions(series: series);
        DateTimeOffset? notBefore = null;
        var asking = new List<string>();
        foreach (var (metric, value, higherIsWorse) in RegressionMetrics.All)
        {
            if (value(result) is not { } current || !(current > 0))
            {
                continue;
            }

            // Runs of closed regressions never enter a later baseline.
            var closed = all.Where(r => r.Metric == metric && r.ClosedAt is not null).ToList();
            var draws = runs
                .Where(r => !closed.Any(c => r.Id >= c.Open.StartRunId && r.Timestamp <= c.ClosedAt))
                .Select(r => (Run: r, Value: value(r.Result)))
                .Where(d => d.Value is > 0)
                .Select(d => new Draw(d.Run.Id, d.Run.Timestamp, d.Value!.Value, d.Run.Confirmation) { Disturbed = d.Run.Disturbed })
                .ToList();
            var open = all.FirstOrDefault(r => r.Metric == metric && r.ClosedAt is null);
            var detector = new DetectorSettings(
                RegressionMetrics.MinimumEffect(metric, settings, canary.Regression),
                settings.BaselineWindow,
                settings.MinimumBaseline,
                settings.EvidenceWindow,
                settings.FalseAlarmRunLength,
                settings.Confirmation,
                higherIsWorse,
                settings.ConfirmationRuns,
                settings.SuspicionZ,
                settings.PersistRuns,
                settings.ClearRuns)
            {
                ConfirmationGap = settings.ConfirmationGap,
            };
            var now = timeProvider.GetUtcNow();
            var verdict = HoldHostShift(canary, result, series, metric, RegressionDetector.Evaluate(draws, open?.Open, detector), draws, runs, detector, settings.HostShiftHold, now);
            switch (verdict.State)
            {
                case RegressionState.Opened:
                    store.OpenRegression(series, result.Canary, result.Batch, metric, verdict.Regression!, now);
                    store.AddEvent(now, HistoryEventKinds.RegressionOpened, result.Canary, Detail(result, metric, verdict));
                    LogOpened(logger, result.Canary, result.Batch, metric, verdict.Ratio ?? double.NaN, verdict.RatioLower ?? double.NaN, verdict.RatioUpper ?? double.NaN);
                    break;
                case RegressionState.Cleared:
                    store.CloseRegressions(series, null, metric, now, "returned");
                    store.AddEvent(now, HistoryEventKinds.RegressionClosed, result.Canary, Detail(result, metric, verdict, "returned"));
                    LogCleared(logger, result.Canary, result.Batch, metric, verdict.Ratio ?? double.NaN);
                    break;
                case RegressionState.Suspected:
                    LogSuspected(logger, result.Canary, result.Batch, metric, verdict.Ratio ?? double.NaN, verdict.Persisted, settings.PersistRuns, verdict.Evidence, verdict.Threshold);
                    break;
            }

            if (verdict.ConfirmNotBefore is { } wanted)
            {
                notBefore = notBefore is { } earlier && earlier < wanted ? earlier : wanted;
                asking.Add(metric);
            }

            lock (_lock)
            {
                _entries[new Key(result.Canary, result.Model, result.Provider, result.Precision.ToString(), result.Batch, metric)] =
                    new Entry(verdict.Active, verdict.Ratio, verdict.RatioLower, verdict.RatioUpper, verdict.Regression?.StartTime);
            }
        }

        lock (_lock)
        {
            if (notBefore is { } time)
            {
                _requests[(result.Canary, result.Batch)] = new ConfirmationRequest(result.Canary, result.Batch, time, asking);
            }
            else
            {
                _requests.Remove((result.Canary, result.Batch));
            }
        }

        if (notBefore is { } due && logger.IsEnabled(LogLevel.Debug))
        {
            var metrics = string.Join(", ", asking);
            LogConfirmationWanted(logger, result.Canary, result.Batch, due, metrics);
        }
    }

    /// <summary>
    /// Holds back a verdict that is the host's, not the software's: at least half of the other
    /// canaries of the lane (two or more, judged since the verdict's first persisting run) shifted
    /// the same way by half the minimum effect, and other processes did not use
    /// <see cref="VisibleForeignCpus"/> more CPUs during the persisting runs than during the
    /// baseline. Such a shift (a hypervisor or a neighbour's memory traffic slowing every canary
    /// for a minute or two) opens only once it has lasted <paramref name="hold"/>, dated from its
    /// start; one some canaries do not share, or one another process's CPU use explains (a
    /// competitor on the canaries' CPUs), opens at once.
    /// </summary>
    private Verdict HoldHostShift(CanaryDefinition canary, CanaryResult result, string series, string metric, Verdict verdict, List<Draw> draws, List<StoredRun> runs, DetectorSettings detector, TimeSpan hold, DateTimeOffset now)
    {
        var key = (series, metric);
        OpenRegression? held;
        lock (_lock)
        {
            held = _held.GetValueOrDefault(key);
        }

        if (held is not null)
        {
            // A held shift is followed against the baseline frozen when it was first held (the
            // gate's rolling baseline would take it in after a dozen runs), and ends only when
            // the series is back, as an open regression clears.
            var follow = RegressionDetector.Evaluate(draws, held, detector);
            if (follow.State == RegressionState.Open)
            {
                verdict = new Verdict(RegressionState.Opened, follow.Ratio, follow.RatioLower, follow.RatioUpper, verdict.Evidence, verdict.Threshold, held) { Persisted = verdict.Persisted };
            }
            else
            {
                held = null;
                lock (_lock)
                {
                    _held.Remove(key);
                }
            }
        }

        var shifted = verdict.Ratio is { } ratio && (detector.HigherIsWorse ? ratio : 1 / ratio) >= 1 + (detector.MinimumEffect / 2);
        lock (_lock)
        {
            _lane[new LaneKey(canary.Device, result.Canary, result.Batch, metric)] = new LaneMark(result.StartedAt, shifted);
        }

        if (verdict.State != RegressionState.Opened || hold <= TimeSpan.Zero || verdict.Regression is not { } opening)
        {
            return verdict;
        }

        int others, along;
        lock (_lock)
        {
            var marks = _lane
                .Where(e => e.Key.Device == canary.Device && e.Key.Metric == metric && !(e.Key.Canary == result.Canary && e.Key.Batch == result.Batch) && e.Value.Time >= opening.StartTime)
                .Select(e => e.Value)
                .ToList();
            others = marks.Count;
            along = marks.Count(m => m.Shifted);
        }

        var scheduled = runs.Where(r => !r.Confirmation).ToList();
        var during = scheduled.Where(r => r.Id >= opening.StartRunId).Select(r => r.Result.ForeignCpus ?? 0).ToList();
        var before = scheduled.Where(r => r.Id < opening.StartRunId).TakeLast(detector.BaselineWindow).Select(r => r.Result.ForeignCpus ?? 0).ToList();
        var visible = RegressionDetector.Median(during) - RegressionDetector.Median(before) >= VisibleForeignCpus;
        // A shift already held stays the lane's while it is followed: the others may be back
        // before it is (its run straddled the end of the shift), which does not make it its own.
        var laneWide = held is not null || (others >= 2 && along * 2 >= others);
        if (!laneWide || visible || now - opening.StartTime >= hold)
        {
            // Someone's work, or a shift the lane does not share, or one that outlasted the
            // hold: it opens, dated from where it began.
            lock (_lock)
            {
                _held.Remove(key);
            }

            return verdict;
        }

        if (held is null)
        {
            lock (_lock)
            {
                _held[key] = opening;
            }

            LogHeld(logger, result.Canary, result.Batch, metric, verdict.Ratio ?? double.NaN, along, others, opening.StartTime + hold);
        }

        return new Verdict(RegressionState.Suspected, verdict.Ratio, verdict.RatioLower, verdict.RatioUpper, verdict.Evidence, verdict.Threshold, null) { Persisted = verdict.Persisted };
    }

    /// <summary>After an environment change: the canary's verdicts restart (its old series' regressions were closed).</summary>
    public void Forget(CanaryResult result, bool closedAny)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            _requests.Remove((result.Canary, result.Batch));
            foreach (var key in _entries.Keys.Where(k => k.Canary == result.Canary && k.Batch == result.Batch).ToList())
            {
                _entries[key] = new Entry(false, null, null, null, null);
            }
        }

        if (closedAny)
        {
            LogEnvironmentClosed(logger, result.Canary, result.Batch);
        }
    }

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_lock)
        {
            foreach (var (key, entry) in _entries)
            {
                string[] labels = [key.Canary, key.Model, key.Provider, key.Precision, key.Batch.ToString(CultureInfo.InvariantCulture), key.Metric];
                writer.Write(TelemetryCatalogue.RegressionActive, entry.Active ? 1 : 0, labels);
                if (entry.Ratio is { } ratio)
                {
                    writer.Write(TelemetryCatalogue.RegressionRatio, ratio, labels);
                    writer.Write(TelemetryCatalogue.RegressionRatioLower, entry.Lower!.Value, labels);
                    writer.Write(TelemetryCatalogue.RegressionRatioUpper, entry.Upper!.Value, labels);
                }

                if (entry.Active && entry.Start is { } start)
                {
                    writer.Write(TelemetryCatalogue.RegressionStart, start.ToUnixTimeMilliseconds() / 1000.0, labels);
                }
            }
        }
    }

    /// <summary>Re-reads open regressions from the store: shows them after a restart, clears those a CLI accepted.</summary>
    internal void Refresh()
    {
        if (!options.CurrentValue.Enabled || database.ExistingStore is not { } store)
        {
            return;
        }

        try
        {
            var open = store.Regressions(openOnly: true);
            var labels = new Dictionary<string, CanaryResult>(StringComparer.Ordinal);
            foreach (var series in open.Select(r => r.Series).Distinct(StringComparer.Ordinal))
            {
                if (store.SeriesRuns(series, DateTimeOffset.MinValue, 1) is [var latest])
                {
                    labels[series] = latest.Result;
                }
            }

            lock (_lock)
            {
                var active = new HashSet<Key>();
                foreach (var regression in open)
                {
                    if (!labels.TryGetValue(regression.Series, out var r))
                    {
                        continue;
                    }

                    var key = new Key(r.Canary, r.Model, r.Provider, r.Precision.ToString(), r.Batch, regression.Metric);
                    active.Add(key);
                    var entry = _entries.GetValueOrDefault(key) ?? new Entry(true, null, null, null, regression.Open.StartTime);
                    _entries[key] = entry with { Active = true, Start = regression.Open.StartTime };
                }

                foreach (var (key, entry) in _entries.Where(e => e.Value.Active && !active.Contains(e.Key)).ToList())
                {
                    _entries[key] = entry with { Active = false, Start = null };
                }
            }
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidDataException)
        {
            LogRefreshFailed(logger, ex.Message);
        }
    }

    private static JsonObject Detail(CanaryResult result, string metric, Verdict verdict, string? reason = null) => new()
    {
        ["reason"] = reason,
        ["batch"] = result.Batch,
        ["metric"] = metric,
        ["ratio"] = verdict.Ratio,
        ["ratioLower"] = verdict.RatioLower,
        ["ratioUpper"] = verdict.RatioUpper,
        ["startRun"] = verdict.Regression?.StartRunId,
    };

    /// <summary>More CPUs than during the baseline that other processes must use during a shift for it to be theirs (<see cref="HoldHostShift"/>).</summary>
    public const double VisibleForeignCpus = 0.25;

    private readonly record struct LaneKey(DeviceRef Device, string Canary, int Batch, string Metric);

    /// <summary>The newest judged run of a series on a lane: when it started and whether its verdict's ratio was worse by half the minimum effect.</summary>
    private sealed record LaneMark(DateTimeOffset Time, bool Shifted);

    private readonly record struct Key(string Canary, string Model, string Provider, string Precision, int Batch, string Metric);

    private sealed record Entry(bool Active, double? Ratio, double? Lower, double? Upper, DateTimeOffset? Start);

    [LoggerMessage(EventId = 620, Level = LogLevel.Warning, Message = "Regression of {Canary} batch {Batch} {Metric}: ratio {Ratio:F3} ({Lower:F3}–{Upper:F3}), confirmed")]
    private static partial void LogOpened(ILogger logger, string canary, int batch, string metric, double ratio, double lower, double upper);

    [LoggerMessage(EventId = 621, Level = LogLevel.Information, Message = "Regression of {Canary} batch {Batch} {Metric} cleared: back at ratio {Ratio:F3}")]
    private static partial void LogCleared(ILogger logger, string canary, int batch, string metric, double ratio);

    [LoggerMessage(EventId = 622, Level = LogLevel.Information, Message = "Suspected regression of {Canary} batch {Batch} {Metric}: ratio {Ratio:F3}, {Persisted} of {PersistRuns} scheduled runs, evidence {Evidence:F2} of {Threshold:F2}")]
    private static partial void LogSuspected(ILogger logger, string canary, int batch, string metric, double ratio, int persisted, int persistRuns, double evidence, double threshold);

    [LoggerMessage(EventId = 625, Level = LogLevel.Debug, Message = "Canary {Canary} batch {Batch}: the regression gate wants a confirmation re-run not before {NotBefore:O} ({Metrics})")]
    private static partial void LogConfirmationWanted(ILogger logger, string canary, int batch, DateTimeOffset notBefore, string metrics);

    [LoggerMessage(EventId = 626, Level = LogLevel.Information, Message = "Regression of {Canary} batch {Batch} {Metric} held: ratio {Ratio:F3}, and {Along} of the {Others} other canaries of its lane shifted with it while no other process used the CPUs (the host, not the software); it opens if it still holds at {Until:O}")]
    private static partial void LogHeld(ILogger logger, string canary, int batch, string metric, double ratio, int along, int others, DateTimeOffset until);

    [LoggerMessage(EventId = 623, Level = LogLevel.Information, Message = "Open regressions of {Canary} batch {Batch} closed: its environment changed")]
    private static partial void LogEnvironmentClosed(ILogger logger, string canary, int batch);

    [LoggerMessage(EventId = 624, Level = LogLevel.Warning, Message = "Open regressions could not be re-read from the history: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
