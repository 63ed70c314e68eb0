using System.Reflection;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Configuration;
using Serilog.Formatting.Compact;

namespace BenchDaemon.Configuration;

/// <summary>
/// The optional <c>Serilog</c> section (read by Serilog.Settings.Configuration): the assemblies
/// its sinks, formatters and enrichers come from, and the check that it names only those.
/// </summary>
public static class SerilogSection
{
    /// <summary>The section's name.</summary>
    public const string Name = "Serilog";

    /// <summary>
    /// The Serilog assemblies this build ships, where the section's names are looked up: named
    /// rather than found by scanning the application's dependency manifest, which a single-file
    /// or natively compiled daemon does not have.
    /// </summary>
    public static IReadOnlyList<Assembly> Assemblies { get; } =
    [
        typeof(LoggerConfiguration).Assembly,
        typeof(ConsoleLoggerConfigurationExtensions).Assembly,
        typeof(FileLoggerConfigurationExtensions).Assembly,
        typeof(CompactJsonFormatter).Assembly,
    ];

    /// <summary>The sinks the section may name (<c>Serilog:WriteTo:0:Name</c>), sorted.</summary>
    public static IReadOnlyList<string> Sinks { get; } = Assemblies
        .SelectMany(a => a.GetExportedTypes())
        .Where(t => t.IsAbstract && t.IsSealed)
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Where(m => m.GetParameters() is [var first, ..] && first.ParameterType == typeof(LoggerSinkConfiguration))
        .Select(m => m.Name)
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// Throws <see cref="ConfigurationException"/> for an assembly under <c>Serilog:Using</c> that
    /// this build does not ship, or a sink under <c>Serilog:WriteTo</c> or <c>Serilog:AuditTo</c>
    /// that none of its assemblies has: Serilog itself would skip such a sink without a word.
    /// </summary>
    public static void Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Name);
        if (!section.Exists())
        {
            // Most configurations have none: no reflection over the sink assemblies at start.
            return;
        }

        var shipped = Assemblies.Select(a => a.GetName().Name!).ToList();
        foreach (var used in section.GetSection("Using").GetChildren())
        {
            if (!string.IsNullOrEmpty(used.Value) && !shipped.Contains(used.Value, StringComparer.OrdinalIgnoreCase))
            {
                throw new ConfigurationException(used.Path, $"'{used.Value}' is not part of this build; it ships {string.Join(", ", shipped)}");
            }
        }

        foreach (var sink in section.GetSection("WriteTo").GetChildren().Concat(section.GetSection("AuditTo").GetChildren()))
        {
            // An element is either {"Name": "File", "Args": {…}} or, in the short form, the sink's name itself.
            var name = sink.GetChildren().Any() ? sink["Name"] : sink.Value;
            if (string.IsNullOrEmpty(name))
            {
                throw new ConfigurationException(sink.Path, "a sink needs a Name");
            }

            if (!Sinks.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new ConfigurationException(sink.Path, $"no sink called '{name}' in this build; it has {string.Join(", ", Sinks)}");
            }
        }
    }
}
