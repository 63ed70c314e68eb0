namespace BenchDaemon.Configuration;

/// <summary>
/// The parsed web-config file (<c>Metrics:WebConfigFile</c>), in the format of the Prometheus
/// exporters' web configuration: optional TLS and optional basic-authentication users.
/// </summary>
/// <param name="Path">The file it was read from.</param>
/// <param name="Tls">TLS settings, or null for plain HTTP.</param>
/// <param name="Users">User name → bcrypt hash; empty means no authentication.</param>
public sealed record WebConfig(string Path, WebTlsConfig? Tls, IReadOnlyDictionary<string, string> Users)
{
    /// <summary>True when requests must carry valid basic-authentication credentials.</summary>
    public bool RequiresAuthentication => Users.Count > 0;
}
