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

    /// <summary>Largest configuration file read (1 MiB); a real one is a few kilobytes.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted; BenchDaemon's own keys go five levels deep.</summary>
    public const int MaxDepth = 16;

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
            // A FIFO, /dev/stdin or /dev/zero reports length 0: reading it would block or never
            // end, so a zero length is never opened (an empty regular file is malformed anyway).
            var length = new FileInfo(path).Length;
            if (length == 0)
            {
                throw new ConfigurationException(path, "malformed JSON: the file is empty (or not a regular file)");
            }

            if (length > MaxFileBytes)
            {
                throw new ConfigurationException(path, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"configuration file is {length} bytes; the limit is {MaxFileBytes} (1 MiB)"));
            }

            bytes = ReadAtMost(path, MaxFileBytes);
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
                MaxDepth = MaxDepth,
            });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException(path, $"configuration file must hold a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }

            CheckDuplicateKeys(path, document.RootElement, string.Empty);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : string.Empty;
            throw new ConfigurationException(path, $"malformed JSON{where}{JsonProblem(ex.Message)}");
        }
    }

    // Configuration keys ignore case, so "Metrics" and "metrics" in one object are the same key
    // given twice; the JSON provider would stop with an exception that names no file.
    private static void CheckDuplicateKeys(string path, JsonElement element, string prefix)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in element.EnumerateObject())
            {
                var key = prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}";
                if (!seen.Add(property.Name))
                {
                    throw new ConfigurationException(key, $"is given twice in {path} (keys ignore case)");
                }

                CheckDuplicateKeys(path, property.Value, key);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                CheckDuplicateKeys(path, item, $"{prefix}:{index++}");
            }
        }
    }

    // A file that grows between the size check and the read is still cut at the limit.
    private static byte[] ReadAtMost(string path, int limit)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var buffer = new byte[Math.Min(limit + 1, Math.Max(4096, stream.CanSeek ? (int)Math.Min(stream.Length + 1, limit + 1) : 4096))];
        var total = 0;
        int read;
        while ((read = stream.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += read;
            if (total == buffer.Length)
            {
                if (total > limit)
                {
                    throw new ConfigurationException(path, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"configuration file is larger than the limit of {limit} bytes (1 MiB)"));
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limit + 1));
            }
        }

        return buffer[..total];
    }

    // System.Text.Json says what it expected ("'}' is invalid after a value. Expected either ',', '}', or ']'.");
    // keep that, drop the path and position it repeats.
    private static string JsonProblem(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = (cut > 0 ? message[..cut] : message).Split('\n', 2)[0].Trim();
        if (text.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase))
        {
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $": nested deeper than {MaxDepth} levels");
        }

        return text.Length == 0 ? string.Empty : ": " + (text.Length > 160 ? text[..160] + "…" : text);
    }
}
