using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Data.Sqlite;

namespace BenchDaemon.History;

/// <summary>
/// The run history in one SQLite file. WAL journal with <c>synchronous=NORMAL</c>: each run is
/// one transaction appended to the WAL, so a process killed at any point (kill -9, OOM) leaves
/// the database consistent and loses at most the run being written, and readers (the CLI)
/// never block the daemon's writes. NORMAL rather than FULL because in WAL mode NORMAL
/// already cannot corrupt the file; FULL's extra fsync per commit would only keep the last
/// runs through a power cut, which a canary history does not need (docs/regression.md).
/// </summary>
public sealed class HistoryStore : IDisposable
{
    /// <summary>The schema version this build writes; <see cref="Migrations"/> has one step per version.</summary>
    public const int SchemaVersion = 3;

    /// <summary>Schema steps: index i takes a database from version i to i + 1.</summary>
    internal static readonly string[] Migrations =
    [
        """
        CREATE TABLE fingerprints (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, json TEXT NOT NULL, first_seen INTEGER NOT NULL);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            timestamp INTEGER NOT NULL,
            canary TEXT NOT NULL,
            batch INTEGER NOT NULL,
            series TEXT NOT NULL,
            fingerprint_id INTEGER NOT NULL REFERENCES fingerprints(id),
            status TEXT NOT NULL,
            confirmation INTEGER NOT NULL DEFAULT 0,
            result TEXT NOT NULL,
            sample_count INTEGER NOT NULL,
            samples BLOB);
        CREATE INDEX runs_canary_time ON runs(canary, timestamp);
        CREATE INDEX runs_series_time ON runs(series, timestamp);
        CREATE INDEX runs_time ON runs(timestamp);
        CREATE TABLE events (id INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL, kind TEXT NOT NULL, canary TEXT, detail TEXT NOT NULL);
        """,
        """
        CREATE TABLE regressions (
            id INTEGER PRIMARY KEY,
            series TEXT NOT NULL,
            canary TEXT NOT NULL,
            batch INTEGER NOT NULL,
            metric TEXT NOT NULL,
            start_run INTEGER NOT NULL,
            start_time INTEGER NOT NULL,
            opened_time INTEGER NOT NULL,
            baseline_center REAL NOT NULL,
            baseline_scale REAL NOT NULL,
            baseline_runs INTEGER NOT NULL,
            closed_time INTEGER,
            close_reason TEXT);
        CREATE INDEX regressions_open ON regressions(series, metric) WHERE closed_time IS NULL;
        CREATE INDEX events_canary_time ON events(canary, timestamp);
        """,
        """
        ALTER TABLE runs ADD COLUMN disturbed INTEGER NOT NULL DEFAULT 0;
        """,
    ];

    /// <summary>
    /// How long a write waits for another connection's lock (a CLI import, a backup tool)
    /// before it fails as busy: one run's history must not hold the canary lane for longer.
    /// </summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    private HistoryStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating and migrating when needed) the history for writing.</summary>
    public static HistoryStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var connection = Connect(path, SqliteOpenMode.ReadWriteCreate);
        try
        {
            // Must precede the first table: lets retention give pages back to the file system.
            Execute(connection, "PRAGMA auto_vacuum=INCREMENTAL;");
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "PRAGMA synchronous=NORMAL;");
            Migrate(connection, path);
            return new HistoryStore(connection, path);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing history for reading (the CLI); throws <see cref="HistoryStoreException"/> when there is none.</summary>
    public static HistoryStore OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new HistoryStoreException($"no history at {path}: the daemon has not recorded a run yet (or History:Path / State:Directory point elsewhere)");
        }

        // Read-write so that a WAL left by a killed daemon is recovered, but never created or migrated.
        var connection = Connect(path, SqliteOpenMode.ReadWrite);
        try
        {
            var version = Version(connection);
            if (version != SchemaVersion)
            {
                throw new HistoryStoreException(version > SchemaVersion
                    ? $"{path} has history schema {version}, newer than this BenchDaemon's {SchemaVersion}"
                    : $"{path} has history schema {version}; the daemon upgrades it on start");
            }

            return new HistoryStore(connection, path);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new HistoryStoreException($"{path} is not a readable history: {ex.Message}", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>The schema version of the open file.</summary>
    public int CurrentVersion()
    {
        lock (_lock)
        {
            return Version(_connection);
        }
    }

    /// <summary>
    /// Writes one run in one transaction; returns its id. <paramref name="disturbed"/> marks a run
    /// whose window was disturbed (the CPU guard, steal, PSI or other processes' CPU): the
    /// regression gate never counts it as evidence (docs/regression.md).
    /// </summary>
    public long Insert(CanaryResult result, EnvironmentFingerprint fingerprint, bool confirmation, bool keepSamples, bool disturbed = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(fingerprint);
        var json = JsonSerializer.Serialize(result, HistoryJson.Options);
        var samples = keepSamples && result.Samples.Count > 0 ? SampleCodec.Encode(result.Samples) : null;
        var key = fingerprint.Key();
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            using (var upsert = _connection.CreateCommand())
            {
                upsert.CommandText = "INSERT INTO fingerprints (key, json, first_seen) VALUES ($key, $json, $time) ON CONFLICT(key) DO NOTHING;";
                upsert.Parameters.AddWithValue("$key", key);
                upsert.Parameters.AddWithValue("$json", fingerprint.ToJson());
                upsert.Parameters.AddWithValue("$time", result.StartedAt.ToUnixTimeMilliseconds());
                upsert.ExecuteNonQuery();
            }

            using var insert = _connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO runs (timestamp, canary, batch, series, fingerprint_id, status, confirmation, result, sample_count, samples, disturbed)
                VALUES ($time, $canary, $batch, $series, (SELECT id FROM fingerprints WHERE key = $key), $status, $confirmation, $result, $count, $samples, $disturbed)
                RETURNING id;
                """;
            insert.Parameters.AddWithValue("$time", result.StartedAt.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$canary", result.Canary);
            insert.Parameters.AddWithValue("$batch", result.Batch);
            insert.Parameters.AddWithValue("$series", SeriesKey(result.Canary, result.Batch, key));
            insert.Parameters.AddWithValue("$key", key);
            insert.Parameters.AddWithValue("$status", result.Status.ToString().ToLowerInvariant());
            insert.Parameters.AddWithValue("$confirmation", confirmation ? 1 : 0);
            insert.Parameters.AddWithValue("$disturbed", disturbed ? 1 : 0);
            insert.Parameters.AddWithValue("$result", json);
            insert.Parameters.AddWithValue("$count", result.Samples.Count);
            insert.Parameters.AddWithValue("$samples", (object?)samples ?? DBNull.Value);
            var id = (long)insert.ExecuteScalar()!;
            transaction.Commit();
            return id;
        }
    }

    /// <summary>The series key of a canary and batch in an environment.</summary>
    public static string SeriesKey(string canary, int batch, string fingerprintKey) =>
        string.Create(CultureInfo.InvariantCulture, $"{canary}|{batch}|{fingerprintKey}");

    /// <summary>Runs of <paramref name="canary"/> (every canary when null) since <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<StoredRun> Runs(string? canary, DateTimeOffset? since = null, int? batch = null)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT r.id, r.timestamp, r.series, f.json, r.confirmation, r.result, r.disturbed FROM runs r JOIN fingerprints f ON f.id = r.fingerprint_id
                WHERE ($canary IS NULL OR r.canary = $canary) AND r.timestamp >= $since AND ($batch IS NULL OR r.batch = $batch)
                ORDER BY r.timestamp, r.id;
                """;
            command.Parameters.AddWithValue("$canary", (object?)canary ?? DBNull.Value);
            command.Parameters.AddWithValue("$since", since?.ToUnixTimeMilliseconds() ?? long.MinValue);
            command.Parameters.AddWithValue("$batch", (object?)batch ?? DBNull.Value);
            return ReadRuns(command);
        }
    }

    /// <summary>The newest <paramref name="limit"/> runs of a series at or after <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<StoredRun> SeriesRuns(string series, DateTimeOffset since, int limit)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT * FROM (
                    SELECT r.id, r.timestamp, r.series, f.json, r.confirmation, r.result, r.disturbed FROM runs r JOIN fingerprints f ON f.id = r.fingerprint_id
                    WHERE r.series = $series AND r.timestamp >= $since ORDER BY r.timestamp DESC, r.id DESC LIMIT $limit)
                ORDER BY timestamp, id;
                """;
            command.Parameters.AddWithValue("$series", series);
            command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$limit", limit);
            return ReadRuns(command);
        }
    }

    /// <summary>The newest run of a canary and batch before this one, if any.</summary>
    public StoredRun? Previous(string canary, int batch, long beforeId)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT r.id, r.timestamp, r.series, f.json, r.confirmation, r.result, r.disturbed FROM runs r JOIN fingerprints f ON f.id = r.fingerprint_id
                WHERE r.canary = $canary AND r.batch = $batch AND r.id < $id ORDER BY r.id DESC LIMIT 1;
                """;
            command.Parameters.AddWithValue("$canary", canary);
            command.Parameters.AddWithValue("$batch", batch);
            command.Parameters.AddWithValue("$id", beforeId);
            return ReadRuns(command).FirstOrDefault();
        }
    }

    /// <summary>The raw samples of a run (empty when not kept).</summary>
    public double[] Samples(long runId)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT samples FROM runs WHERE id = $id;";
            command.Parameters.AddWithValue("$id", runId);
            return command.ExecuteScalar() is byte[] blob ? SampleCodec.Decode(blob) : [];
        }
    }

    /// <summary>Canary names with at least one run.</summary>
    public IReadOnlyList<string> Canaries()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT DISTINCT canary FROM runs ORDER BY canary;";
            using var reader = command.ExecuteReader();
            var names = new List<string>();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }

            return names;
        }
    }

    /// <summary>Records an event.</summary>
    public long AddEvent(DateTimeOffset time, string kind, string? canary, JsonObject detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO events (timestamp, kind, canary, detail) VALUES ($time, $kind, $canary, $detail) RETURNING id;";
            command.Parameters.AddWithValue("$time", time.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$kind", kind);
            command.Parameters.AddWithValue("$canary", (object?)canary ?? DBNull.Value);
            command.Parameters.AddWithValue("$detail", detail.ToJsonString());
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>Events of <paramref name="canary"/> (all when null), oldest first.</summary>
    public IReadOnlyList<StoredEvent> Events(string? canary = null, string? kind = null)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT id, timestamp, kind, canary, detail FROM events
                WHERE ($canary IS NULL OR canary = $canary) AND ($kind IS NULL OR kind = $kind) ORDER BY timestamp, id;
                """;
            command.Parameters.AddWithValue("$canary", (object?)canary ?? DBNull.Value);
            command.Parameters.AddWithValue("$kind", (object?)kind ?? DBNull.Value);
            using var reader = command.ExecuteReader();
            var events = new List<StoredEvent>();
            while (reader.Read())
            {
                events.Add(new StoredEvent(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4)));
            }

            return events;
        }
    }

    /// <summary>When the baseline of <paramref name="canary"/> was last accepted, if ever.</summary>
    public DateTimeOffset? LastAccepted(string canary) =>
        Events(canary, HistoryEventKinds.BaselineAccept) is { Count: > 0 } accepted ? accepted[^1].Timestamp : null;

    /// <summary>Records an opened regression.</summary>
    public long OpenRegression(string series, string canary, int batch, string metric, OpenRegression open, DateTimeOffset openedAt)
    {
        ArgumentNullException.ThrowIfNull(open);
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO regressions (series, canary, batch, metric, start_run, start_time, opened_time, baseline_center, baseline_scale, baseline_runs)
                VALUES ($series, $canary, $batch, $metric, $run, $start, $opened, $center, $scale, $runs) RETURNING id;
                """;
            command.Parameters.AddWithValue("$series", series);
            command.Parameters.AddWithValue("$canary", canary);
            command.Parameters.AddWithValue("$batch", batch);
            command.Parameters.AddWithValue("$metric", metric);
            command.Parameters.AddWithValue("$run", open.StartRunId);
            command.Parameters.AddWithValue("$start", open.StartTime.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$opened", openedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$center", open.BaselineCenter);
            command.Parameters.AddWithValue("$scale", open.BaselineScale);
            command.Parameters.AddWithValue("$runs", open.BaselineRuns);
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>Closes the open regressions of a series and metric (every metric when null) or of a whole canary (series null).</summary>
    public int CloseRegressions(string? series, string? canary, string? metric, DateTimeOffset closedAt, string reason)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                UPDATE regressions SET closed_time = $closed, close_reason = $reason
                WHERE closed_time IS NULL AND ($series IS NULL OR series = $series) AND ($canary IS NULL OR canary = $canary) AND ($metric IS NULL OR metric = $metric);
                """;
            command.Parameters.AddWithValue("$closed", closedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$reason", reason);
            command.Parameters.AddWithValue("$series", (object?)series ?? DBNull.Value);
            command.Parameters.AddWithValue("$canary", (object?)canary ?? DBNull.Value);
            command.Parameters.AddWithValue("$metric", (object?)metric ?? DBNull.Value);
            return command.ExecuteNonQuery();
        }
    }

    /// <summary>Regressions of a canary (all when null), open or closed, oldest first.</summary>
    public IReadOnlyList<StoredRegression> Regressions(string? canary = null, bool openOnly = false, string? series = null)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT id, series, canary, batch, metric, start_run, start_time, opened_time, baseline_center, baseline_scale, baseline_runs, closed_time, close_reason
                FROM regressions WHERE ($canary IS NULL OR canary = $canary) AND ($series IS NULL OR series = $series) AND ($open = 0 OR closed_time IS NULL)
                ORDER BY opened_time, id;
                """;
            command.Parameters.AddWithValue("$canary", (object?)canary ?? DBNull.Value);
            command.Parameters.AddWithValue("$series", (object?)series ?? DBNull.Value);
            command.Parameters.AddWithValue("$open", openOnly ? 1 : 0);
            using var reader = command.ExecuteReader();
            var list = new List<StoredRegression>();
            while (reader.Read())
            {
                var open = new OpenRegression(reader.GetInt64(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), reader.GetDouble(8), reader.GetDouble(9), reader.GetInt32(10));
                list.Add(new StoredRegression(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4), open,
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                    reader.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
                    reader.IsDBNull(12) ? null : reader.GetString(12)));
            }

            return list;
        }
    }

    /// <summary>
    /// Deletes runs older than <paramref name="maxAge"/>, then the oldest runs until the data
    /// fit in <paramref name="maxBytes"/>, and gives the freed pages back to the file system.
    /// Returns the runs deleted.
    /// </summary>
    public int Prune(DateTimeOffset now, TimeSpan maxAge, long maxBytes)
    {
        lock (_lock)
        {
            var deleted = 0;
            using (var old = _connection.CreateCommand())
            {
                old.CommandText = "DELETE FROM runs WHERE timestamp < $cutoff;";
                old.Parameters.AddWithValue("$cutoff", (now - maxAge).ToUnixTimeMilliseconds());
                deleted += old.ExecuteNonQuery();
            }

            while (UsedBytes() > maxBytes)
            {
                using var count = _connection.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM runs;";
                var runs = (long)count.ExecuteScalar()!;
                if (runs == 0)
                {
                    break;
                }

                using var oldest = _connection.CreateCommand();
                oldest.CommandText = "DELETE FROM runs WHERE id IN (SELECT id FROM runs ORDER BY timestamp, id LIMIT $n);";
                oldest.Parameters.AddWithValue("$n", Math.Max(1, runs / 10));
                deleted += oldest.ExecuteNonQuery();
            }

            if (deleted > 0)
            {
                Execute(_connection, "DELETE FROM fingerprints WHERE id NOT IN (SELECT DISTINCT fingerprint_id FROM runs);");
                Execute(_connection, "PRAGMA incremental_vacuum;");
                Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE);");
            }

            return deleted;
        }
    }

    /// <summary>Bytes of pages in use (file size less free pages).</summary>
    public long UsedBytes()
    {
        lock (_lock)
        {
            return Scalar("PRAGMA page_count;") - Scalar("PRAGMA freelist_count;") is var pages ? pages * Scalar("PRAGMA page_size;") : 0;
        }
    }

    /// <summary>Runs in the store.</summary>
    public long RunCount()
    {
        lock (_lock)
        {
            return Scalar("SELECT COUNT(*) FROM runs;");
        }
    }

    /// <summary>The result of <c>PRAGMA integrity_check</c> ("ok" when sound).</summary>
    public string IntegrityCheck()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check;";
            return (string)command.ExecuteScalar()!;
        }
    }

    private long Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static List<StoredRun> ReadRuns(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var runs = new List<StoredRun>();
        var fingerprints = new Dictionary<string, EnvironmentFingerprint>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var fingerprintJson = reader.GetString(3);
            if (!fingerprints.TryGetValue(fingerprintJson, out var fingerprint))
            {
                fingerprint = EnvironmentFingerprint.FromJson(fingerprintJson);
                fingerprints[fingerprintJson] = fingerprint;
            }

            var json = reader.GetString(5);
            var result = JsonSerializer.Deserialize<CanaryResult>(json, HistoryJson.Options)!;
            runs.Add(new StoredRun(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2), fingerprint,
                reader.GetInt64(4) != 0, result, json) { Disturbed = reader.GetInt64(6) != 0 });
        }

        return runs;
    }

    private static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        // No pooling: the file is closed when the store is disposed (tests, CLI), and each
        // process holds exactly one connection.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            // Microsoft.Data.Sqlite retries a busy statement for this long, on top of SQLite's own busy_timeout.
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString());
        connection.Open();
        Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout={(int)BusyTimeout.TotalMilliseconds};"));
        return connection;
    }

    private static void Migrate(SqliteConnection connection, string path)
    {
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        var version = Version(connection);
        if (version > SchemaVersion)
        {
            throw new HistoryStoreException($"{path} has history schema {version}, newer than this BenchDaemon's {SchemaVersion}; use a newer BenchDaemon or another History:Path");
        }

        for (var step = version; step < SchemaVersion; step++)
        {
            using var transaction = connection.BeginTransaction();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = Migrations[step];
                command.ExecuteNonQuery();
            }

            using (var update = connection.CreateCommand())
            {
                update.CommandText = "DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ($v);";
                update.Parameters.AddWithValue("$v", step + 1);
                update.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    private static int Version(SqliteConnection connection)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';";
        if ((long)exists.ExecuteScalar()! == 0)
        {
            return 0;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(version) FROM schema_version;";
        return command.ExecuteScalar() is long v ? (int)v : 0;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
