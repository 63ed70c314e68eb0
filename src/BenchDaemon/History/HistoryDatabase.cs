using System.Globalization;
using BenchDaemon.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.History;

/// <summary>
/// The daemon's one open history store, opened on first use. A store that cannot be opened
/// is logged once and retried on a later run; the daemon keeps running without history. A
/// damaged file (not a database, corrupt pages) is moved aside, never deleted, and a new
/// store started, so that runs are kept again and the old file stays for <c>sqlite3 .recover</c>.
/// </summary>
public sealed partial class HistoryDatabase(
    IOptions<HistoryOptions> options,
    IOptions<StateOptions> state,
    ILogger<HistoryDatabase> logger,
    TimeProvider? timeProvider = null) : IDisposable
{
    private readonly TimeProvider _timeProvider = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private HistoryStore? _store;
    private string? _openFailure;
    private long _quarantined;
    private bool _disposed;

    /// <summary>The history file.</summary>
    public string Path { get; } = options.Value.ResolvePath(state.Value.Directory!);

    /// <summary>The options in force.</summary>
    public HistoryOptions Options { get; } = options.Value;

    /// <summary>The open store, or null when history is disabled or the file cannot be opened now.</summary>
    public HistoryStore? Store
    {
        get
        {
            if (!Options.Enabled)
            {
                return null;
            }

            lock (_lock)
            {
                if (_store is not null || _disposed)
                {
                    return _store;
                }

                try
                {
                    _store = OpenOrQuarantine();
                    var runs = _store.RunCount();
                    _openFailure = null;
                    LogOpened(logger, Path, runs);
                }
                catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or HistoryStoreException)
                {
                    _store?.Dispose();
                    _store = null;
                    // Retried at every run: said once, until it opens or fails differently.
                    if (_openFailure != ex.Message)
                    {
                        _openFailure = ex.Message;
                        LogOpenFailed(logger, Path, ex.Message);
                    }
                }

                return _store;
            }
        }
    }

    /// <summary>How many damaged files were moved aside since start.</summary>
    public long Quarantined => Interlocked.Read(ref _quarantined);

    /// <summary>The store if its file exists (opening it when needed), else null: a scrape never creates the history.</summary>
    public HistoryStore? ExistingStore => _store ?? (File.Exists(Path) ? Store : null);

    /// <summary>
    /// Closes <paramref name="store"/> after a write found its file damaged, moves the file aside
    /// and lets the next run start a new one. Returns the path the damaged file now has.
    /// </summary>
    public string? Quarantine(HistoryStore store, string reason)
    {
        ArgumentNullException.ThrowIfNull(store);
        lock (_lock)
        {
            if (!ReferenceEquals(store, _store))
            {
                return null; // Already moved aside by another caller.
            }

            _store.Dispose();
            _store = null;
            return MoveAside(reason);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _store?.Dispose();
            _store = null;
        }
    }

    private HistoryStore OpenOrQuarantine()
    {
        try
        {
            return HistoryStore.Open(Path);
        }
        catch (SqliteException ex) when (HistoryFailure.IsCorrupt(ex))
        {
            MoveAside(ex.Message);
            return HistoryStore.Open(Path);
        }
    }

    // The WAL and shared-memory files travel with the database: SQLite pairs them by name, and
    // the WAL may hold the newest runs.
    private string MoveAside(string reason)
    {
        var aside = string.Create(CultureInfo.InvariantCulture, $"{Path}.corrupt-{_timeProvider.GetUtcNow():yyyyMMddTHHmmssfffZ}");
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            if (File.Exists(Path + suffix))
            {
                File.Move(Path + suffix, aside + suffix);
            }
        }

        Interlocked.Increment(ref _quarantined);
        LogQuarantined(logger, Path, reason, aside);
        return aside;
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "History store {Path} open with {Runs} runs")]
    private static partial void LogOpened(ILogger logger, string path, long runs);

    [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "History store {Path} cannot be opened: {Reason}; runs are not kept until it can")]
    private static partial void LogOpenFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 602, Level = LogLevel.Error, Message = "History store {Path} is damaged ({Reason}): moved to {Aside} and a new store started; the old file is kept for recovery")]
    private static partial void LogQuarantined(ILogger logger, string path, string reason, string aside);
}
