namespace BenchDaemon.Workloads.Canaries;

/// <summary>The embedded default configuration (section <c>Defaults</c>).</summary>
public sealed class DefaultsOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Defaults";

    /// <summary>When no <c>Canaries</c> are configured, run the built-in ones (<see cref="DefaultCanaries"/>). False: run none.</summary>
    public bool Canaries { get; set; } = true;
}
