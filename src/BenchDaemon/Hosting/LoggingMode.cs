namespace BenchDaemon.Hosting;

/// <summary>How a verb logs.</summary>
public enum LoggingMode
{
    /// <summary>The daemon: console (stdout, the journal under systemd) and the rolling file.</summary>
    Daemon,

    /// <summary>A one-shot verb that also records its work: warnings to stderr, everything to the rolling file.</summary>
    Command,

    /// <summary>A read-only verb (probe, config check): warnings to stderr only, no file, stdout stays clean for output.</summary>
    Quiet,
}
