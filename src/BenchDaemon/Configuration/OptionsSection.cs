using Microsoft.Extensions.Configuration;

namespace BenchDaemon.Configuration;

/// <summary>
/// One of BenchDaemon's configuration sections: its path, the options type it binds to, and a
/// check that binds a configuration's section to fresh options and runs the validators the running
/// options use (<see cref="OptionsSectionServiceCollectionExtensions.AddOptionsSection{TOptions, TValidator}"/>
/// registers both). The registered sections are the one list of sections: the preflight walks
/// them for unknown keys, and a reload checks a new configuration with them before it applies it.
/// </summary>
public sealed class OptionsSection
{
    private readonly Action<IConfiguration> _check;

    internal OptionsSection(string path, Type optionsType, Action<IConfiguration> check, bool array = false)
    {
        Path = path;
        OptionsType = optionsType;
        BoundType = array ? typeof(List<>).MakeGenericType(optionsType) : optionsType;
        _check = check;
    }

    /// <summary>The section's key, for example <c>Metrics</c>.</summary>
    public string Path { get; }

    /// <summary>The options type the section binds to (of each element, for an array section such as <c>Canaries</c>).</summary>
    public Type OptionsType { get; }

    /// <summary>What the whole section binds to: <see cref="OptionsType"/>, or a list of it for an array section.</summary>
    public Type BoundType { get; }

    /// <summary>
    /// Binds the section of <paramref name="configuration"/> and validates the result; throws
    /// <see cref="ConfigurationException"/> naming the key of the first problem.
    /// </summary>
    public void Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _check(configuration);
    }
}
