using Microsoft.Data.Sqlite;

namespace BenchDaemon.History;

/// <summary>
/// Sorts a history failure into the bounded <c>reason</c> of <c>benchdaemon_history_write_errors_total</c>,
/// from SQLite's result codes (https://www.sqlite.org/rescode.html) and errno.
/// </summary>
public static class HistoryFailure
{
    /// <summary>Another connection held the lock for longer than the busy timeout.</summary>
    public const string Busy = "busy";

    /// <summary>The disk or a quota is full.</summary>
    public const string Full = "full";

    /// <summary>The file is not a database, or its pages are damaged.</summary>
    public const string Corrupt = "corrupt";

    /// <summary>The store cannot be opened (permissions, a newer schema, a missing directory...).</summary>
    public const string Unavailable = "unavailable";

    /// <summary>Any other failure.</summary>
    public const string Io = "io";

    /// <summary>Every reason, so that each series exists from the start at 0.</summary>
    public static IReadOnlyList<string> All { get; } = [Busy, Full, Corrupt, Unavailable, Io];

    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteNotADatabase = 26;
    private const int SqliteIoErr = 10;
    private const int EnoSpc = 28;
    private const int EDQuot = 122;

    /// <summary>The reason for <paramref name="exception"/>.</summary>
    public static string Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked }:
                    return Busy;
                case SqliteException { SqliteErrorCode: SqliteFull }:
                    return Full;
                case SqliteException { SqliteErrorCode: SqliteCorrupt or SqliteNotADatabase }:
                    return Corrupt;
                // SQLite reports some ENOSPC writes as SQLITE_IOERR_WRITE; the free space decides.
                case SqliteException { SqliteErrorCode: SqliteIoErr } when e.Message.Contains("disk is full", StringComparison.OrdinalIgnoreCase):
                    return Full;
                case IOException io when (io.HResult & 0xFFFF) is EnoSpc or EDQuot:
                    return Full;
                case HistoryStoreException or UnauthorizedAccessException:
                    return Unavailable;
            }
        }

        return Io;
    }

    /// <summary>True when the file itself is damaged and must be moved aside to keep a history.</summary>
    public static bool IsCorrupt(Exception exception) => Classify(exception) == Corrupt;
}
