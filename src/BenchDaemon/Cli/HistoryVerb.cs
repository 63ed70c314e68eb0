using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchDaemon.History;
using BenchDaemon.Regression;
using BenchDaemon.Workloads.Canaries;
using Spectre.Console;

namespace BenchDaemon.Cli;

/// <summary><c>benchdaemon history CANARY</c>: the stored runs of a canary, oldest first, with its change points and events.</summary>
public static class HistoryVerb
{
    /// <summary>Prints the runs of <paramref name="canary"/> since <paramref name="since"/>.</summary>
    public static Task<int> ExecuteAsync(CliContext context, string canary, string? since, bool json)
    {
        ArgumentNullException.ThrowIfNull(context);
        var from = HistoryAccess.ParseSince(since, DateTimeOffset.UtcNow);
        var (store, options) = HistoryAccess.Open(context);
        using (store)
        {
            HistoryAccess.RequireCanary(store, canary);
            var runs = store.Runs(canary, from);
            if (json)
            {
                var rows = new JsonArray();
                foreach (var run in runs)
                {
                    var row = JsonNode.Parse(run.ResultJson)!.AsObject();
                    row["id"] = run.Id;
                    row["timestamp"] = run.Timestamp.ToString("O", CultureInfo.InvariantCulture);
                    row["confirmation"] = run.Confirmation;
                    row["series"] = run.Series;
                    row["fingerprint"] = JsonNode.Parse(run.Fingerprint.ToJson());
                    rows.Add(row);
                }

                context.Out.WriteLine(rows.ToJsonString(CliJson.Options));
                return Task.FromResult(ExitCodes.Ok);
            }

            var console = context.CreateConsole();
            var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"history of {canary}"));
            foreach (var column in new[] { "time (UTC)", "batch", "status", "p50 ms", "p99 ms", "samples/s", "cv", "re-run", "fingerprint" })
            {
                table.AddColumn(column);
            }

            static string Ms(double? s) => s is { } v ? (v * 1000).ToString("F3", CultureInfo.InvariantCulture) : "-";
            foreach (var run in runs)
            {
                var r = run.Result;
                table.AddRow(
                    run.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    r.Batch.ToString(CultureInfo.InvariantCulture),
                    r.Status.ToString().ToLowerInvariant(),
                    Ms(r.LatencySeconds?.P50),
                    Ms(r.LatencySeconds?.P99),
                    r.ThroughputSamplesPerSecond is { } t ? t.ToString("F1", CultureInfo.InvariantCulture) : "-",
                    r.LatencySeconds is { } l ? l.CoefficientOfVariation.ToString("F3", CultureInfo.InvariantCulture) : "-",
                    run.Confirmation ? "yes" : string.Empty,
                    run.Series.Split('|')[^1]);
            }

            console.Write(table);
            foreach (var batch in runs.Select(r => r.Result.Batch).Distinct().Order())
            {
                var draws = HistoryAccess.Draws(runs.Where(r => r.Result.Batch == batch), RegressionMetricNames.LatencyP50);
                foreach (var point in ChangePointAnalysis.Find(draws, options.ChangePointMinimumSegment, options.MinimumEffect))
                {
                    console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"change point (batch {batch}, latency_p50): {point.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss} run {point.RunId}: {point.Before * 1000:F3} → {point.After * 1000:F3} ms (×{point.Ratio:F3})")));
                }
            }

            foreach (var item in store.Events(canary).Where(e => from is null || e.Timestamp >= from))
            {
                console.MarkupLine(Markup.Escape($"{item.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} {item.Kind}: {item.Detail}"));
            }
        }

        return Task.FromResult(ExitCodes.Ok);
    }
}
