using System.ComponentModel.DataAnnotations;

namespace BenchDaemon.History;

/// <summary>The run history: a SQLite file under the state directory (section <c>History</c>).</summary>
public sealed class HistoryOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "History";

    /// <summary>The file name used under <c>State:Directory</c> when <see cref="Path"/> is not set.</summary>
    public const string DefaultFileName = "history.db";

    /// <summary>Write every canary run to the history (and so judge regressions).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The SQLite file; empty means <c>{State:Directory}/history.db</c>. A relative path is under the state directory.</summary>
    public string? Path { get; set; }

    /// <summary>Runs older than this are deleted.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>When the file grows past this many megabytes, the oldest runs are deleted until it is below.</summary>
    [Range(1, 1_000_000)]
    public int MaxSizeMegabytes { get; set; } = 512;

    /// <summary>Keep each run's raw per-call latencies (compressed); off keeps only the statistics.</summary>
    public bool Samples { get; set; } = true;

    /// <summary>The file for a state directory.</summary>
    public string ResolvePath(string stateDirectory) =>
        string.IsNullOrWhiteSpace(Path) ? System.IO.Path.Combine(stateDirectory, DefaultFileName) : System.IO.Path.Combine(stateDirectory, Path);
}
