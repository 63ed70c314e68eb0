using System.Globalization;
using System.Text.Json.Nodes;
using BenchDaemon.History;

namespace BenchDaemon.Cli;

/// <summary><c>benchdaemon baseline accept CANARY</c>: the current level becomes the baseline; open regressions of the canary close.</summary>
public static class BaselineVerb
{
    /// <summary>Records the acceptance in the store.</summary>
    public static Task<int> AcceptAsync(CliContext context, string canary)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (store, _) = HistoryAccess.Open(context);
        using (store)
        {
            HistoryAccess.RequireCanary(store, canary);
            var now = DateTimeOffset.UtcNow;
            var closed = store.CloseRegressions(null, canary, null, now, "accepted");
            store.AddEvent(now, HistoryEventKinds.BaselineAccept, canary, new JsonObject { ["closedRegressions"] = closed, ["user"] = Environment.UserName });
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"baseline of {canary} accepted at {now:yyyy-MM-dd HH:mm:ss} UTC; {closed} open regression(s) closed. The gate relearns from the next runs."));
        }

        return Task.FromResult(ExitCodes.Ok);
    }
}
