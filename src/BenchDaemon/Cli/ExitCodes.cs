namespace BenchDaemon.Cli;

/// <summary>Process exit codes (sysexits.h where one fits).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary><c>once</c>: at least one canary failed.</summary>
    public const int CanaryFailed = 1;

    /// <summary>Bad command line (unknown verb or option, malformed value).</summary>
    public const int Usage = 2;

    /// <summary>
    /// The input asked for is not there (EX_NOINPUT): <c>history</c>, <c>report</c> or
    /// <c>baseline accept</c> with no history file, an empty one, or a canary without runs.
    /// </summary>
    public const int NoInput = 66;

    /// <summary>Internal error (EX_SOFTWARE): a bug; the message and the log say what.</summary>
    public const int Software = 70;

    /// <summary>An output file cannot be created (EX_CANTCREAT): <c>models export -o</c> to a path that cannot be written.</summary>
    public const int CantCreate = 73;

    /// <summary>Bad configuration (EX_CONFIG): one line on stderr names the key.</summary>
    public const int Config = 78;

    /// <summary><c>study</c>: stopped by SIGINT or SIGTERM (128 + 2); the cells measured so far were written.</summary>
    public const int Interrupted = 130;
}
