using System.ComponentModel.DataAnnotations;
using BenchDaemon.Probes;

namespace BenchDaemon.Configuration;

/// <summary>Where BenchDaemon keeps its state: history, model cache, logs (section <c>State</c>).</summary>
public sealed class StateOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "State";

    /// <summary>
    /// The state directory. Empty means the default: systemd's <c>$STATE_DIRECTORY</c> or
    /// <c>/var/lib/benchdaemon</c> under systemd, else <c>$XDG_STATE_HOME/benchdaemon</c>,
    /// else <c>~/.local/state/benchdaemon</c>.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>The state directory must be creatable and writable, or nothing can be kept.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (WritableDirectory.Check(Directory ?? string.Empty) is { } problem)
        {
            yield return OptionsMember.Fail(validationContext, nameof(Directory), problem);
        }
    }

    /// <summary>The default state directory for the given environment (see <see cref="Directory"/>).</summary>
    public static string DefaultDirectory(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);

        // systemd sets STATE_DIRECTORY (colon-separated) when the unit has StateDirectory=.
        var stateDirectory = environment("STATE_DIRECTORY");
        if (!string.IsNullOrEmpty(stateDirectory))
        {
            return stateDirectory.Split(':')[0];
        }

        // INVOCATION_ID is set for every process systemd starts as a service.
        if (!string.IsNullOrEmpty(environment("INVOCATION_ID")))
        {
            return "/var/lib/benchdaemon";
        }

        var xdg = environment("XDG_STATE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "benchdaemon");
        }

        var home = environment("HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        return Path.Combine(home, ".local", "state", "benchdaemon");
    }
}
