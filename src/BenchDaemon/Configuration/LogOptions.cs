using System.ComponentModel.DataAnnotations;
using BenchDaemon.Probes;
using Serilog.Events;

namespace BenchDaemon.Configuration;

/// <summary>
/// Log sinks (configuration section <c>Logs</c>): console plus a rolling file in compact
/// JSON. A <c>Serilog</c> section, read by Serilog.Settings.Configuration, can add sinks and
/// level overrides on top.
/// </summary>
public sealed class LogOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Logs";

    /// <summary>Lowest level written.</summary>
    public LogEventLevel Level { get; set; } = LogEventLevel.Information;

    /// <summary>Write human-readable lines to the console (the journal under systemd).</summary>
    public bool Console { get; set; } = true;

    /// <summary>Write the rolling compact-JSON file.</summary>
    public bool File { get; set; } = true;

    /// <summary>Directory of the rolling file; empty means <c>logs/</c> under the state directory.</summary>
    public string? Directory { get; set; }

    /// <summary>A file rolls over at this size.</summary>
    [Range(typeof(long), "1024", "1099511627776")]
    public long FileSizeLimitBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>How many rolled files are kept; older ones are deleted.</summary>
    [Range(1, 1000)]
    public int RetainedFileCount { get; set; } = 10;

    /// <summary>With the file sink on, the log directory must be creatable and writable.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (File && WritableDirectory.Check(Directory ?? string.Empty) is { } problem)
        {
            yield return OptionsMember.Fail(validationContext, nameof(Directory), $"{problem} (or set {SectionName}:{nameof(File)}=false)");
        }
    }
}
