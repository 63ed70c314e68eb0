using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace BenchDaemon.Configuration;

/// <summary>
/// Builds the effective configuration in the documented order, each layer overriding the
/// one before: built-in defaults (the option classes), the JSON file, environment variables
/// <c>BENCHDAEMON__Section__Key</c>, then <c>--set Section:Key=value</c> on the command line.
/// </summary>
public static class ConfigurationLoader
{
    /// <summary>The configuration file read when <c>--config</c> is not given.</summary>
    public const string DefaultConfigPath = "/etc/benchdaemon/benchdaemon.json";

    /// <summary>Prefix of the environment variables that override configuration keys.</summary>
    public const string EnvironmentPrefix = "BENCHDAEMON__";

    /// <summary>
    /// Loads the configuration. A file named explicitly must exist; the default file is
    /// optional. Throws <see cref="ConfigurationException"/> for a missing, unreadable or
    /// malformed file and for a malformed override.
    /// </summary>
    /// <param name="configPath">The <c>--config</c> value, or null for the default file.</param>
    /// <param name="overrides">The <c>--set KEY=VALUE</c> values, in order.</param>
    public static LoadedConfiguration Load(string? configPath, IReadOnlyList<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var explicitFile = configPath is not null;
        var path = Path.GetFullPath(configPath ?? DefaultConfigPath);

        var builder = new ConfigurationBuilder();
        string? loadedFile = null;
        if (File.Exists(path))
        {
            ValidateJsonFile(path);
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
            loadedFile = path;
        }
        else if (Directory.Exists(path))
        {
            throw new ConfigurationException(path, "is a directory, not a configuration file");
        }
        else if (explicitFile)
        {
            throw new ConfigurationException(path, "configuration file not found (given with --config)");
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(ParseOverrides(overrides));
        return new LoadedConfiguration(builder.Build(), loadedFile);
    }

    /// <summary>Turns <c>Section:Key=value</c> strings into configuration pairs.</summary>
    internal static IEnumerable<KeyValuePair<string, string?>> ParseOverrides(IReadOnlyList<string> overrides)
    {
        foreach (var item in overrides)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ConfigurationException("--set", $"'{item}' is not KEY=VALUE (for example --set Metrics:Listen=127.0.0.1:9847)");
            }

            // Accept the environment-variable spelling too (Metrics__Listen).
            var key = item[..equals].Trim().Replace("__", ":", StringComparison.Ordinal);
            yield return new(key, item[(equals + 1)..]);
        }
    }

    // Parse the file ourselves first: the JSON provider's own error hides the position, and
    // a user needs the line to fix it.
    private static void ValidateJsonFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, "configuration file is not readable by this user");
        }
        catch (IOException ex)
        {
            throw new ConfigurationException(path, $"configuration file cannot be read ({ex.Message})");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException(path, $"configuration file must hold a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : string.Empty;
            throw new ConfigurationException(path, $"malformed JSON{where}");
        }
    }
}
