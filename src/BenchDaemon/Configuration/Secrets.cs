namespace BenchDaemon.Configuration;

/// <summary>
/// The one place that decides what is a secret in BenchDaemon's output (<c>config check</c>,
/// configuration error messages): every OTLP header value, every password hash of the
/// web-config file, every canary provider option and <c>Serilog</c> setting whose key names a
/// credential. docs/security.md.
/// </summary>
public static class Secrets
{
    /// <summary>What replaces a secret.</summary>
    public const string Redacted = "***";

    private static readonly string[] s_secretWords = ["password", "passwd", "secret", "token", "apikey", "api-key", "api_key", "authorization", "credential", "private", "bearer"];

    /// <summary>True when a key with this name (a configuration path or a part of it) holds a secret.</summary>
    public static bool IsSecretKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.StartsWith($"{OtlpOptions.SectionName}:{nameof(OtlpOptions.Headers)}:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return s_secretWords.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase));
    }
}
