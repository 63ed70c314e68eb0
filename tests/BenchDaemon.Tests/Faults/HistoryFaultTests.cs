using System.Text.RegularExpressions;
using BenchDaemon.History;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;
using Microsoft.Data.Sqlite;

namespace BenchDaemon.Tests.Faults;

/// <summary>
/// The history file locked, full and damaged under a running daemon, and damaged before it
/// starts: canaries and exports go on, each failure is counted by reason and said once, the
/// runs already stored stay readable, and writing resumes when the fault goes (docs/faults.md).
/// </summary>
[Collection(SerialTestGroup.Name)]
[Trait("Category", "Fault")]
public sealed partial class HistoryFaultTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_HistoryLockedThenDiskFullThenCorrupted_KeepsRunningCountsEachAndResumes()
    {
        // Room for the history and its write-ahead log however many runs a slow machine stores
        // before the damage step, whose checkpoints copy the log into the file; the full-disk
        // step fills whatever is left.
        using var disk = new Tmpfs(Path.Combine(_temp.Path, "disk"), kilobytes: 4096);
        var history = Path.Combine(disk.Path, "history.db");
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", Config(), "--set", $"History:Path={history}"]);
        var text = await Scrape.UntilAsync(daemon, t => Stored(t) >= 2, "two runs stored");
        Assert.Equal(0, Errors(text, "busy") + Errors(text, "full") + Errors(text, "corrupt"));

        // Locked: another connection holds the write lock for longer than the 5 s busy timeout.
        using (var locker = Connect(history))
        {
            Execute(locker, "BEGIN EXCLUSIVE;");
            text = await Scrape.UntilAsync(daemon, t => Errors(t, "busy") >= 1, "a busy write error");
            Assert.True(Probed(text) > 0);
            Execute(locker, "COMMIT;");
        }

        var afterLock = Stored(text);
        text = await Scrape.UntilAsync(daemon, t => Stored(t) > afterLock, "runs stored again after the lock");

        // Full: the disk under the history has no byte left.
        var filler = disk.Fill();
        var beforeFull = Measured(text);
        text = await Scrape.UntilAsync(daemon, t => Errors(t, "full") >= 2, "two full-disk write errors");
        Assert.True(Measured(text) >= beforeFull + 2, "canaries keep running while the history cannot be written");
        File.Delete(filler);
        var afterFull = Stored(text);
        text = await Scrape.UntilAsync(daemon, t => Stored(t) > afterFull, "runs stored again after space was freed");

        // 4. Every run the daemon counted as stored is there and readable, the file sound.
        var stored = Stored(text);
        using (var store = HistoryStore.OpenRead(history))
        {
            Assert.Equal("ok", store.IntegrityCheck());
            var runs = store.Runs("stored");
            Assert.True(runs.Count >= stored, $"{runs.Count} runs readable, {stored} counted as stored");
            Assert.All(runs, r => Assert.NotEmpty(store.Samples(r.Id)));
        }

        // Damaged while running: pages overwritten behind the daemon's back, and its page
        // cache invalidated as any second writer (a backup tool, the CLI) does with a checkpoint.
        using (var other = Connect(history))
        {
            Execute(other, "PRAGMA wal_checkpoint(TRUNCATE);");
            var size = new FileInfo(history).Length;
            await using (var file = new FileStream(history, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                file.Position = 4096;
                var junk = new byte[size - 4096];
                new Random(109).NextBytes(junk);
                file.Write(junk);
            }

            Execute(other, "PRAGMA wal_checkpoint(TRUNCATE);");
        }

        var beforeCorrupt = Stored(text);
        text = await Scrape.UntilAsync(daemon, t => Errors(t, "corrupt") >= 1 && Stored(t) > beforeCorrupt, "the damaged file moved aside and runs stored in a new one");
        var aside = Assert.Single(Directory.GetFiles(disk.Path, "history.db.corrupt-*"), f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));
        Assert.True(new FileInfo(aside).Length >= 4096);

        // 1. Up and answering; 3. one line per fault, no stack trace, and one line per recovery.
        Assert.Contains("\"status\":\"Healthy\"", await daemon.WaitForAsync("/healthz", TimeSpan.FromSeconds(10)), StringComparison.Ordinal);
        var stdout = daemon.StandardOutput;
        Assert.Single(Regex.Matches(stdout, "History: run of stored not stored \\(busy: "));
        Assert.Single(Regex.Matches(stdout, "History: run of stored not stored \\(full: "));
        Assert.Single(Regex.Matches(stdout, $"History store {Regex.Escape(history)} is damaged \\(.*\\): moved to {Regex.Escape(aside)} and a new store started"));
        Assert.Equal(3, Regex.Count(stdout, "History: runs are stored again"));
        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HistoryFileIsGarbageAtStart_MovesItAsideAndStoresRunsInANewOne()
    {
        var history = Path.Combine(_temp.Path, HistoryOptions.DefaultFileName);
        var garbage = new byte[64 * 1024];
        new Random(108).NextBytes(garbage);
        File.WriteAllBytes(history, garbage);

        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", Config()]);
        var text = await Scrape.UntilAsync(daemon, t => Stored(t) >= 1, "a run stored in a new history");

        Assert.Equal(1, Errors(text, "corrupt"));
        var aside = Assert.Single(Directory.GetFiles(_temp.Path, "history.db.corrupt-*"));
        Assert.Equal(garbage, File.ReadAllBytes(aside));
        Assert.Single(Regex.Matches(daemon.StandardOutput, "History store .* is damaged \\(.*file is not a database.*\\): moved to .* and a new store started"));
        Assert.DoesNotContain("   at ", daemon.StandardOutput, StringComparison.Ordinal);
        using var store = HistoryStore.OpenRead(history);
        Assert.NotEmpty(store.Runs("stored"));
    }

    private static double Stored(string metrics) => Scrape.Sum(metrics, "benchdaemon_history_runs_total\\{status=\"(ok|unstable)\"\\}");

    private static double Measured(string metrics) => Scrape.Sum(metrics, "benchdaemon_canary_runs_total\\{canary=\"stored\",status=\"(ok|unstable)\",[^}]*\\}");

    private static double Probed(string metrics) => Scrape.Value(metrics, "benchdaemon_probe_samples_total") ?? 0;

    private static double Errors(string metrics, string reason) =>
        Scrape.Value(metrics, $"benchdaemon_history_write_errors_total{{reason=\"{reason}\"}}") ?? throw new InvalidOperationException($"no history error series for {reason}");

    private static SqliteConnection Connect(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private string Config()
    {
        var model = Path.Combine(_temp.Path, "mlp.onnx");
        File.WriteAllBytes(model, TinyModels.Mlp());
        return _temp.File("config.json", $$"""
            { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1 },
              "Canaries": [ { "Name": "stored", "Model": "{{model}}", "Interval": "00:00:02", "Threads": 1,
                "Measure": { "MinIterations": 20, "MinDuration": "00:00:00.050", "WarmupMaxDuration": "00:00:00.200" } } ] }
            """);
    }
}
