using BenchDaemon.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.History;

/// <summary>
/// The daemon's one open history store, opened on first use. A store that cannot be opened
/// is logged and retried on a later run; the daemon keeps running without history.
/// </summary>
public sealed partial class HistoryDatabase(IOptions<HistoryOptions> options, IOptions<StateOptions> state, ILogger<HistoryDatabase> logger) : IDisposable
{
    private readonly Lock _lock = new();
    private HistoryStore? _store;
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
                    _store = HistoryStore.Open(Path);
                    var runs = _store.RunCount();
                    LogOpened(logger, Path, runs);
                }
                catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or HistoryStoreException)
                {
                    LogOpenFailed(logger, Path, ex.Message);
                }

                return _store;
            }
        }
    }

    /// <summary>The store if its file exists (opening it when needed), else null: a scrape never creates the history.</summary>
    public HistoryStore? ExistingStore => _store ?? (File.Exists(Path) ? Store : null);

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _store?.Dispose();
            _store = null;
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "History store {Path} open with {Runs} runs")]
    private static partial void LogOpened(ILogger logger, string path, long runs);

    [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "History store {Path} cannot be opened: {Reason}; runs are not kept until it can")]
    private static partial void LogOpenFailed(ILogger logger, string path, string reason);
}
