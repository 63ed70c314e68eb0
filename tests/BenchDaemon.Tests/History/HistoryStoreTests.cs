using System.Diagnostics;
using System.Text.Json.Nodes;
using BenchDaemon.History;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Data.Sqlite;

namespace BenchDaemon.Tests.History;

[Collection(SerialTestGroup.Name)]
public sealed class HistoryStoreTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();

    private string DbPath => Path.Combine(_temp.Path, "history.db");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Open_NewFile_CurrentSchemaInWalMode()
    {
        using var store = HistoryStore.Open(DbPath);

        Assert.Equal(HistoryStore.SchemaVersion, store.CurrentVersion());
        Assert.Equal("wal", Pragma("journal_mode"));
        Assert.Equal("ok", store.IntegrityCheck());
    }

    [Fact]
    public void Open_VersionOneFile_MigratesAndKeepsItsRuns()
    {
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);" + HistoryStore.Migrations[0]
                + "INSERT INTO fingerprints (key, json, first_seen) VALUES ('k', '" + Runs.Fingerprint().ToJson() + "', 0);"
                + "INSERT INTO runs (timestamp, canary, batch, series, fingerprint_id, status, result, sample_count) VALUES (0, 'old', 1, 'old|1|k', 1, 'ok', '"
                + System.Text.Json.JsonSerializer.Serialize(Runs.Level("old", s_t0, 0.01), HistoryJson.Options) + "', 0);";
            command.ExecuteNonQuery();
        }

        using var store = HistoryStore.Open(DbPath);

        Assert.Equal(HistoryStore.SchemaVersion, store.CurrentVersion());
        Assert.Equal(1, store.RunCount());
        var old = Assert.Single(store.Runs("old"));
        Assert.Equal("old", old.Result.Canary);
        // Runs stored before the disturbed flag read as undisturbed.
        Assert.False(old.Disturbed);
        store.OpenRegression("old|1|k", "old", 1, RegressionMetricNames.LatencyP50, new OpenRegression(1, s_t0, -4.6, 0.01, 10), s_t0);
        Assert.Single(store.Regressions("old", openOnly: true));
    }

    [Fact]
    public void Open_NewerSchema_RefusesWithClearMessage()
    {
        using (var store = HistoryStore.Open(DbPath))
        {
        }

        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE schema_version SET version = 99;";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<HistoryStoreException>(() => HistoryStore.Open(DbPath));
        Assert.Contains("schema 99, newer than", error.Message, StringComparison.Ordinal);
        Assert.Throws<HistoryStoreException>(() => HistoryStore.OpenRead(DbPath));
    }

    [Fact]
    public void OpenRead_Missing_SaysNoHistory()
    {
        var error = Assert.Throws<HistoryStoreException>(() => HistoryStore.OpenRead(DbPath));

        Assert.Contains("no history at", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(DbPath));
    }

    [Fact]
    public void Insert_Run_RoundTripsResultFingerprintAndSamples()
    {
        using var store = HistoryStore.Open(DbPath);
        var result = Runs.Level("tiny", s_t0, 0.002, count: 500);

        var id = store.Insert(result, Runs.Fingerprint(), confirmation: true, keepSamples: true);

        var run = Assert.Single(store.Runs("tiny"));
        Assert.Equal(id, run.Id);
        Assert.True(run.Confirmation);
        Assert.Equal(result.LatencySeconds, run.Result.LatencySeconds);
        Assert.Equal(Runs.Fingerprint(), run.Fingerprint);
        Assert.Equal(result.Samples.Select(s => (double)(float)s), store.Samples(id));
        Assert.Equal(HistoryStore.SeriesKey("tiny", 1, Runs.Fingerprint().Key()), run.Series);
    }

    [Fact]
    public void Insert_Disturbed_RoundTrips()
    {
        using var store = HistoryStore.Open(DbPath);

        store.Insert(Runs.Level("tiny", s_t0, 0.002), Runs.Fingerprint(), confirmation: false, keepSamples: false, disturbed: true);
        store.Insert(Runs.Level("tiny", s_t0.AddMinutes(1), 0.002), Runs.Fingerprint(), confirmation: false, keepSamples: false);

        Assert.Equal([true, false], store.Runs("tiny").Select(r => r.Disturbed));
        Assert.Equal([true, false], store.SeriesRuns(HistoryStore.SeriesKey("tiny", 1, Runs.Fingerprint().Key()), s_t0, 10).Select(r => r.Disturbed));
    }

    [Fact]
    public void Prune_ByAge_DeletesOnlyOldRuns()
    {
        using var store = HistoryStore.Open(DbPath);
        for (var day = 0; day < 10; day++)
        {
            store.Insert(Runs.Level("tiny", s_t0.AddDays(day), 0.002), Runs.Fingerprint(), false, true);
        }

        var deleted = store.Prune(s_t0.AddDays(10), TimeSpan.FromDays(5), long.MaxValue);

        Assert.Equal(5, deleted);
        Assert.All(store.Runs("tiny"), r => Assert.True(r.Timestamp >= s_t0.AddDays(5)));
    }

    [Fact]
    public void Prune_BySize_DeletesOldestUntilBelowAndShrinksFile()
    {
        using var store = HistoryStore.Open(DbPath);
        var random = new Random(1);
        for (var i = 0; i < 40; i++)
        {
            var samples = Enumerable.Range(0, 20_000).Select(_ => random.NextDouble()).ToArray();
            store.Insert(Runs.Result("big", s_t0.AddMinutes(i), samples), Runs.Fingerprint(), false, true);
        }

        var before = store.UsedBytes();
        var limit = before / 3;
        var deleted = store.Prune(s_t0.AddMinutes(40), TimeSpan.FromDays(365), limit);

        Assert.True(deleted > 0);
        Assert.True(store.UsedBytes() <= limit, $"{store.UsedBytes()} > {limit}");
        Assert.True(new FileInfo(DbPath).Length < before, "incremental vacuum gives pages back");
        var kept = store.Runs("big");
        Assert.NotEmpty(kept);
        Assert.Equal(s_t0.AddMinutes(39), kept[^1].Timestamp);
        Assert.Equal("ok", store.IntegrityCheck());
    }

    [Fact]
    public async Task OpenRead_DuringWrites_ReadsConsistentGrowingCounts()
    {
        using var writer = HistoryStore.Open(DbPath);
        writer.Insert(Runs.Level("tiny", s_t0, 0.002), Runs.Fingerprint(), false, true);
        using var stop = new CancellationTokenSource();
        var writing = Task.Run(() =>
        {
            for (var i = 1; i <= 300; i++)
            {
                writer.Insert(Runs.Level("tiny", s_t0.AddSeconds(i), 0.002, count: 2000), Runs.Fingerprint(), false, true);
            }
        }, TestContext.Current.CancellationToken);

        var seen = new List<int>();
        while (!writing.IsCompleted)
        {
            using var reader = HistoryStore.OpenRead(DbPath);
            var runs = reader.Runs("tiny");
            Assert.Equal(runs.Count, runs.Select(r => r.Id).Distinct().Count());
            seen.Add(runs.Count);
        }

        await writing;
        Assert.True(seen.Count > 1, "reads happened during the writes");
        Assert.Equal(seen.Order(), seen);
        using var final = HistoryStore.OpenRead(DbPath);
        Assert.Equal(301, final.Runs("tiny").Count);
    }

    [Fact]
    public async Task KillDuringWrite_StoreOpensAndPassesIntegrityCheck()
    {
        var assembly = typeof(ChildProgram).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", ["exec", assembly, "history-writer", DbPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test host's profiler and startup hooks must not follow the child.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.StartsWith("CORECLR_", StringComparison.Ordinal)
                     || k.StartsWith("VSTEST", StringComparison.Ordinal) || k.StartsWith("COMPlus_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var child = Process.Start(start)!;
        _ = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var written = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (written < 3)
        {
            var line = await child.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.NotNull(line);
            written = int.Parse(line["written ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }

        // SIGKILL while the next multi-megabyte transaction is being written.
        await Task.Delay(Random.Shared.Next(5, 60), TestContext.Current.CancellationToken);
        child.Kill();
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);

        using var store = HistoryStore.Open(DbPath);
        Assert.Equal("ok", store.IntegrityCheck());
        var runs = store.Runs("crash");
        Assert.True(runs.Count >= written, $"{runs.Count} runs survived, {written} were reported committed");
        Assert.Equal(200_000, store.Samples(runs[^1].Id).Length);
    }

    [Fact]
    public void Events_AndRegressions_CloseOnAccept()
    {
        using var store = HistoryStore.Open(DbPath);
        store.OpenRegression("tiny|1|k", "tiny", 1, RegressionMetricNames.LatencyP50, new OpenRegression(3, s_t0, -6, 0.02, 30), s_t0);
        store.AddEvent(s_t0.AddHours(1), HistoryEventKinds.BaselineAccept, "tiny", new JsonObject());

        var closed = store.CloseRegressions(null, "tiny", null, s_t0.AddHours(1), "accepted");

        Assert.Equal(1, closed);
        Assert.Empty(store.Regressions("tiny", openOnly: true));
        Assert.Equal("accepted", Assert.Single(store.Regressions("tiny")).CloseReason);
        Assert.Equal(s_t0.AddHours(1), store.LastAccepted("tiny"));
    }

    private string Pragma(string name)
    {
        using var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return (string)command.ExecuteScalar()!;
    }
}
