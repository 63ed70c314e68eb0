using System.Globalization;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BenchDaemon.Configuration;

/// <summary>
/// Reads a web-config file in the format of the Prometheus exporters (exporter-toolkit):
/// <code>
/// tls_server_config:
///   cert_file: server.crt
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert   # optional
///   client_ca_file: clients-ca.crt                 # optional
///   min_version: TLS12                             # or TLS13
/// basic_auth_users:
///   prometheus: $2y$10$...                         # bcrypt hash
/// </code>
/// Relative paths are relative to the web-config file. Every problem is a
/// <see cref="ConfigurationException"/> on <c>Metrics:WebConfigFile</c> naming the YAML key;
/// password hashes are never echoed.
/// </summary>
public static partial class WebConfigLoader
{
    /// <summary>The configuration key that names the file.</summary>
    public const string Key = $"{MetricsOptions.SectionName}:{nameof(MetricsOptions.WebConfigFile)}";

    /// <summary>Largest web-config file read; a real one is a few hundred bytes.</summary>
    public const int MaxFileBytes = 64 * 1024;

    /// <summary>Lowest bcrypt cost accepted: below 10 a stolen hash is cheap to crack.</summary>
    public const int MinBcryptCost = 10;

    /// <summary>Highest bcrypt cost accepted: at 14 one verification takes about a second; more would stall scrapes.</summary>
    public const int MaxBcryptCost = 14;

    private static readonly string[] s_topKeys = ["tls_server_config", "basic_auth_users"];
    private static readonly string[] s_tlsKeys = ["cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version"];

    /// <summary>Loads and checks <paramref name="path"/>, certificates included.</summary>
    public static WebConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (ConfigPaths.Problem(path) is { } pathProblem)
        {
            throw new ConfigurationException(Key, pathProblem);
        }

        var full = Path.GetFullPath(path);
        var root = ReadYaml(full);
        var directory = Path.GetDirectoryName(full)!;
        WebTlsConfig? tls = null;
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in root.Children)
        {
            var key = Scalar(full, keyNode, "a key");
            switch (key)
            {
                case "tls_server_config":
                    tls = Tls(full, directory, Mapping(full, key, value));
                    break;
                case "basic_auth_users":
                    foreach (var (userNode, hashNode) in Mapping(full, key, value).Children)
                    {
                        var user = Scalar(full, userNode, "a user name");
                        users[user] = Hash(full, user, hashNode);
                    }

                    break;
                case "http_server_config":
                    throw Fail(full, key, "is not supported by BenchDaemon (HTTP/2 and response headers are fixed)");
                default:
                    throw Fail(full, key, $"unknown key; known keys are {string.Join(", ", s_topKeys)}");
            }
        }

        if (tls is null && users.Count == 0)
        {
            throw new ConfigurationException(Key, $"{full}: configures neither tls_server_config nor basic_auth_users; remove {Key} to serve plain HTTP without authentication");
        }

        return new WebConfig(full, tls, users);
    }

    /// <summary>Loads <paramref name="path"/> only to check it, releasing the certificates again.</summary>
    public static void Check(string path)
    {
        var config = Load(path);
        Dispose(config);
    }

    /// <summary>Releases the certificates of <paramref name="config"/>.</summary>
    public static void Dispose(WebConfig? config)
    {
        if (config?.Tls is { } tls)
        {
            tls.Certificate.Dispose();
            foreach (var ca in tls.ClientCas)
            {
                ca.Dispose();
            }
        }
    }

    private static YamlMappingNode ReadYaml(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path))
            {
                throw new ConfigurationException(Key, $"'{path}' is a directory, not a web-config file");
            }

            if (!info.Exists)
            {
                throw new ConfigurationException(Key, $"'{path}' does not exist");
            }

            if (info.Length > MaxFileBytes)
            {
                throw new ConfigurationException(Key, string.Create(CultureInfo.InvariantCulture, $"'{path}' is {info.Length} bytes; a web-config file may have at most {MaxFileBytes}"));
            }

            text = File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigurationException(Key, $"'{path}' is not readable by this user");
        }
        catch (Exception ex) when (ex is IOException or DecoderFallbackException)
        {
            throw new ConfigurationException(Key, $"'{path}' cannot be read ({FirstLine(ex.Message)})");
        }

        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(text);
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new ConfigurationException(Key, string.Create(CultureInfo.InvariantCulture, $"{path}: malformed YAML at line {ex.Start.Line}, column {ex.Start.Column}: {YamlProblem(ex)}"));
        }

        if (stream.Documents.Count == 0)
        {
            throw new ConfigurationException(Key, $"{path}: is empty; remove {Key} to serve plain HTTP without authentication");
        }

        if (stream.Documents.Count > 1)
        {
            throw new ConfigurationException(Key, $"{path}: holds {stream.Documents.Count} YAML documents; expected one");
        }

        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new ConfigurationException(Key, $"{path}: must hold a YAML mapping (tls_server_config:, basic_auth_users:)");
    }

    private static WebTlsConfig Tls(string file, string directory, YamlMappingNode node)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = Scalar(file, keyNode, "a key");
            if (!s_tlsKeys.Contains(key, StringComparer.Ordinal))
            {
                throw Fail(file, $"tls_server_config.{key}", $"unknown key; known keys are {string.Join(", ", s_tlsKeys)}");
            }

            values[key] = valueNode is YamlScalarNode { Value: { } v }
                ? v.Trim()
                : throw Fail(file, $"tls_server_config.{key}", "expected a single value");
        }

        string PathOf(string key)
        {
            if (!values.TryGetValue(key, out var value) || value.Length == 0)
            {
                throw Fail(file, $"tls_server_config.{key}", "is required");
            }

            if (ConfigPaths.Problem(value) is { } problem)
            {
                throw Fail(file, $"tls_server_config.{key}", problem);
            }

            var full = Path.GetFullPath(value, directory);
            if (!File.Exists(full))
            {
                throw Fail(file, $"tls_server_config.{key}", $"'{full}' does not exist");
            }

            return full;
        }

        var protocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        if (values.TryGetValue("min_version", out var min))
        {
            protocols = min switch
            {
                "TLS12" => SslProtocols.Tls12 | SslProtocols.Tls13,
                "TLS13" => SslProtocols.Tls13,
                "TLS10" or "TLS11" => throw Fail(file, "tls_server_config.min_version", $"{min} is not allowed: TLS 1.0 and 1.1 are deprecated (RFC 8996); use TLS12 or TLS13"),
                _ => throw Fail(file, "tls_server_config.min_version", $"'{min}' is not one of TLS12, TLS13"),
            };
        }

        var certFile = PathOf("cert_file");
        var keyFile = PathOf("key_file");
        ClientAuthType? clientAuth = null;
        if (values.TryGetValue("client_auth_type", out var type))
        {
            clientAuth = Enum.TryParse<ClientAuthType>(type, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw Fail(file, "tls_server_config.client_auth_type", $"'{type}' is not one of {string.Join(", ", Enum.GetNames<ClientAuthType>())}");
        }

        string? caFile = null;
        if (values.ContainsKey("client_ca_file"))
        {
            caFile = PathOf("client_ca_file");
            // As in the exporters: a client CA without an explicit type means mutual TLS.
            clientAuth ??= ClientAuthType.RequireAndVerifyClientCert;
            if (clientAuth == ClientAuthType.NoClientCert)
            {
                throw Fail(file, "tls_server_config.client_ca_file", "is given but client_auth_type is NoClientCert");
            }
        }
        else if (clientAuth is ClientAuthType.RequireAndVerifyClientCert or ClientAuthType.VerifyClientCertIfGiven)
        {
            throw Fail(file, "tls_server_config.client_ca_file", $"is required with client_auth_type {clientAuth}");
        }

        var certificate = LoadCertificate(file, certFile, keyFile);
        var cas = new X509Certificate2Collection();
        if (caFile is not null)
        {
            try
            {
                cas.ImportFromPemFile(caFile);
            }
            catch (CryptographicException ex)
            {
                certificate.Dispose();
                throw Fail(file, "tls_server_config.client_ca_file", $"'{caFile}' is not a PEM certificate file ({FirstLine(ex.Message)})");
            }

            if (cas.Count == 0)
            {
                certificate.Dispose();
                throw Fail(file, "tls_server_config.client_ca_file", $"'{caFile}' holds no PEM certificate");
            }
        }

        return new WebTlsConfig(certFile, keyFile, certificate, clientAuth ?? ClientAuthType.NoClientCert, caFile, cas, protocols);
    }

    private static X509Certificate2 LoadCertificate(string file, string certFile, string keyFile)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (UnauthorizedAccessException)
        {
            throw Fail(file, "tls_server_config", $"'{certFile}' or '{keyFile}' is not readable by this user");
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException)
        {
            throw Fail(file, "tls_server_config", $"cert_file '{certFile}' and key_file '{keyFile}' are not a PEM certificate and its matching private key ({FirstLine(ex.Message)})");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw Fail(file, "tls_server_config.key_file", $"'{keyFile}' holds no private key for the certificate");
        }

        return certificate;
    }

    private static string Hash(string file, string user, YamlNode node)
    {
        var key = $"basic_auth_users.{user}";
        if (user.Length == 0 || user.Contains(':', StringComparison.Ordinal) || user.Any(char.IsControl))
        {
            throw Fail(file, "basic_auth_users", "a user name must be non-empty, without ':' or control characters");
        }

        // The hash itself never appears in a message: it is a secret too.
        if (node is not YamlScalarNode { Value: { } hash } || BcryptHash().Match(hash.Trim()) is not { Success: true } match)
        {
            throw Fail(file, key, "is not a bcrypt hash ($2a$, $2b$ or $2y$, a two-digit cost, then 53 characters); make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n'");
        }

        var cost = int.Parse(match.Groups["cost"].Value, CultureInfo.InvariantCulture);
        if (cost is < MinBcryptCost or > MaxBcryptCost)
        {
            throw Fail(file, key, string.Create(CultureInfo.InvariantCulture, $"bcrypt cost {cost} is outside {MinBcryptCost}-{MaxBcryptCost} (lower is cheap to crack, higher stalls every scrape that is not cached)"));
        }

        return hash.Trim();
    }

    private static YamlMappingNode Mapping(string file, string key, YamlNode node) =>
        node as YamlMappingNode ?? throw Fail(file, key, "expected a mapping of keys to values");

    private static string Scalar(string file, YamlNode node, string what) =>
        node is YamlScalarNode { Value: { } value }
            ? value
            : throw new ConfigurationException(Key, string.Create(CultureInfo.InvariantCulture, $"{file}: line {node.Start.Line}: expected {what}"));

    private static ConfigurationException Fail(string file, string yamlKey, string problem) =>
        new(Key, $"{file}: {yamlKey}: {problem}");

    // YamlDotNet prefixes its messages with "(Line: 1, Col: 1, Idx: 0) - (Line: …): "; the position is reported already.
    private static string YamlProblem(YamlException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return FirstLine(cut >= 0 ? message[(cut + 3)..] : message);
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 200 ? line[..200] + "…" : line;
    }

    [GeneratedRegex(@"^\$2[aby]\$(?<cost>\d\d)\$[./A-Za-z0-9]{53}$")]
    private static partial Regex BcryptHash();
}
