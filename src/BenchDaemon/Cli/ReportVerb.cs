using System.Globalization;
using System.Text.Json;
using BenchDaemon.History;
using BenchDaemon.Regression;
using BenchDaemon.Workloads.Canaries;
using Spectre.Console;

namespace BenchDaemon.Cli;

/// <summary><c>benchdaemon report</c>: every canary's level, open regressions, change points and environment changes; <c>--png</c> draws them.</summary>
public static class ReportVerb
{
    /// <summary>Prints the report and writes the chart when <paramref name="png"/> is given.</summary>
    public static Task<int> ExecuteAsync(CliContext context, string? png, string? since, bool json)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = DateTimeOffset.UtcNow;
        var from = HistoryAccess.ParseSince(since, now);
        var (store, options) = HistoryAccess.Open(context);
        using (store)
        {
            var canaries = store.Canaries();
            if (canaries.Count == 0)
            {
                throw new HistoryStoreException($"the history at {store.Path} has no runs yet");
            }

            var rows = new List<ReportRow>();
            var series = new List<ReportSeries>();
            foreach (var canary in canaries)
            {
                var runs = store.Runs(canary, from);
                var regressions = store.Regressions(canary);
                var changes = store.Events(canary, HistoryEventKinds.EnvironmentChange).Where(e => from is null || e.Timestamp >= from).ToList();
                foreach (var batch in runs.Select(r => r.Result.Batch).Distinct().Order())
                {
                    var ofBatch = runs.Where(r => r.Result.Batch == batch).ToList();
                    var draws = HistoryAccess.Draws(ofBatch, RegressionMetricNames.LatencyP50);
                    var points = ChangePointAnalysis.Find(draws, options.ChangePointMinimumSegment, options.MinimumEffect);
                    var spans = regressions.Where(r => r.Batch == batch).ToList();
                    rows.Add(new ReportRow(
                        canary,
                        batch,
                        ofBatch.Count,
                        ofBatch.Count(r => r.Result.Status is Workloads.Canaries.CanaryStatus.Failed),
                        draws.Count > 0 ? draws[^1].Value : null,
                        spans.Where(r => r.ClosedAt is null).Select(r => new OpenRow(r.Metric, r.Open.StartTime, r.OpenedAt)).ToList(),
                        points.Select(p => new PointRow(p.Time, p.RunId, p.Before, p.After, p.Ratio)).ToList(),
                        changes.Select(c => new ChangeRow(c.Timestamp, c.Detail)).ToList()));
                    series.Add(new ReportSeries(
                        $"{canary} batch {batch}",
                        draws.Select(d => (d.Time, d.Value)).ToList(),
                        points,
                        spans.Where(r => r.Metric == RegressionMetricNames.LatencyP50).Select(r => (r.Open.StartTime, r.ClosedAt)).ToList(),
                        changes.Select(c => c.Timestamp).ToList()));
                }
            }

            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(rows, CliJson.Options));
            }
            else
            {
                Render(context, rows);
            }

            if (!string.IsNullOrEmpty(png))
            {
                try
                {
                    ReportChart.Write(series, png, now);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    context.Error.WriteLine($"benchdaemon: cannot write {png}: {ex.Message}");
                    return Task.FromResult(ExitCodes.CantCreate);
                }

                context.Error.WriteLine($"chart written to {Path.GetFullPath(png)}");
            }
        }

        return Task.FromResult(ExitCodes.Ok);
    }

    private static void Render(CliContext context, List<ReportRow> rows)
    {
        var console = context.CreateConsole();
        var table = new Table().Border(TableBorder.Rounded).Title("regression report");
        foreach (var column in new[] { "canary", "batch", "runs", "failed", "last p50 ms", "open regressions", "change points (latency_p50)", "environment changes" })
        {
            table.AddColumn(column);
        }

        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Canary),
                row.Batch.ToString(CultureInfo.InvariantCulture),
                row.Runs.ToString(CultureInfo.InvariantCulture),
                row.Failed.ToString(CultureInfo.InvariantCulture),
                row.LastP50Seconds is { } p ? (p * 1000).ToString("F3", CultureInfo.InvariantCulture) : "-",
                row.OpenRegressions.Count == 0 ? "none" : Markup.Escape(string.Join(", ", row.OpenRegressions.Select(o => $"{o.Metric} since {o.Start.UtcDateTime:yyyy-MM-dd HH:mm}"))),
                row.ChangePoints.Count == 0 ? "none" : Markup.Escape(string.Join("; ", row.ChangePoints.Select(c =>
                    string.Create(CultureInfo.InvariantCulture, $"{c.Time.UtcDateTime:MM-dd HH:mm} ×{c.Ratio:F3}")))),
                row.EnvironmentChanges.Count.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    // Internal, not private: BenchDaemonJsonContext describes them.
    internal sealed record ReportRow(string Canary, int Batch, int Runs, int Failed, double? LastP50Seconds, List<OpenRow> OpenRegressions, List<PointRow> ChangePoints, List<ChangeRow> EnvironmentChanges);

    internal sealed record OpenRow(string Metric, DateTimeOffset Start, DateTimeOffset Opened);

    internal sealed record PointRow(DateTimeOffset Time, long RunId, double Before, double After, double Ratio);

    internal sealed record ChangeRow(DateTimeOffset Time, string Detail);
}
