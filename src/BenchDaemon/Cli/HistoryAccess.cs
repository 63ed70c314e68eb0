using System.Globalization;
using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.History;
using BenchDaemon.Regression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Cli;

/// <summary>What the history verbs share: opening the store named by the configuration, the <c>--since</c> syntax, and the series of a canary.</summary>
public static class HistoryAccess
{
    /// <summary>Opens the history for reading with the options in force; a missing store is a <see cref="HistoryStoreException"/>.</summary>
    public static (HistoryStore Store, RegressionOptions Regression) Open(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (services, _) = CommandServices.Build(context, LoggingMode.Quiet);
        using (services)
        {
            var state = services.GetRequiredService<IOptions<StateOptions>>().Value;
            var history = services.GetRequiredService<IOptions<HistoryOptions>>().Value;
            var regression = services.GetRequiredService<IOptions<RegressionOptions>>().Value;
            return (HistoryStore.OpenRead(history.ResolvePath(state.Directory!)), regression);
        }
    }

    /// <summary>Checks that <paramref name="canary"/> has runs; throws <see cref="HistoryStoreException"/> naming the known canaries otherwise.</summary>
    public static void RequireCanary(HistoryStore store, string canary)
    {
        ArgumentNullException.ThrowIfNull(store);
        var known = store.Canaries();
        if (known.Count == 0)
        {
            throw new HistoryStoreException($"the history at {store.Path} has no runs yet");
        }

        if (!known.Contains(canary, StringComparer.Ordinal))
        {
            throw new HistoryStoreException($"no runs of canary '{canary}' in {store.Path}; canaries with runs: {string.Join(", ", known)}");
        }
    }

    /// <summary>
    /// Parses <c>--since</c>: a duration back from now (<c>90m</c>, <c>24h</c>, <c>7d</c>, or
    /// <c>hh:mm:ss</c>) or an ISO 8601 date or time (UTC unless it names an offset).
    /// </summary>
    public static DateTimeOffset? ParseSince(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        var unit = text[^1];
        if (unit is 's' or 'm' or 'h' or 'd' or 'w'
            && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            return now - unit switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => TimeSpan.FromDays(7 * amount),
            };
        }

        if (text.Contains(':', StringComparison.Ordinal) && !text.Contains('T', StringComparison.Ordinal) && !text.Contains('-', StringComparison.Ordinal)
            && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
        {
            return now - span;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        throw new FormatException($"--since: '{text}' is neither a duration (90m, 24h, 7d) nor an ISO 8601 time (2026-11-20 or 2026-11-20T08:00:00Z)");
    }

    /// <summary>The measured runs of a canary and batch as draws of <paramref name="metric"/>.</summary>
    public static List<Draw> Draws(IEnumerable<StoredRun> runs, string metric)
    {
        var (_, value, _) = RegressionMetrics.All.First(m => m.Name == metric);
        return runs
            .Where(r => r.Result.Status is Workloads.Canaries.CanaryStatus.Ok or Workloads.Canaries.CanaryStatus.Unstable)
            .Select(r => (Run: r, Value: value(r.Result)))
            .Where(d => d.Value is > 0)
            .Select(d => new Draw(d.Run.Id, d.Run.Timestamp, d.Value!.Value, d.Run.Confirmation))
            .ToList();
    }
}
