using System.Security.Authentication;
using BenchDaemon.Configuration;
using BenchDaemon.Security;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Security;

public sealed class WebConfigLoaderTests : IDisposable
{
    private static readonly Lazy<string> s_hash = new(() => BCrypt.Net.BCrypt.HashPassword("s3cret-pass", 10));

    private readonly TempDirectory _temp = new();
    private readonly TestCertificates _certs;

    public WebConfigLoaderTests()
    {
        _certs = new TestCertificates(_temp.Path);
    }

    public void Dispose()
    {
        _certs.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Load_TlsAndUsers_ReadsEverythingWithRelativePaths()
    {
        var path = _temp.File("web.yml", $"""
            tls_server_config:
              cert_file: {Path.GetFileName(_certs.CertFile)}
              key_file: {Path.GetFileName(_certs.KeyFile)}
              client_ca_file: {Path.GetFileName(_certs.CaFile)}
              min_version: TLS13
            basic_auth_users:
              prometheus: {s_hash.Value}
            """);

        var config = WebConfigLoader.Load(path);
        try
        {
            Assert.NotNull(config.Tls);
            Assert.Equal(_certs.CertFile, config.Tls.CertFile);
            Assert.True(config.Tls.Certificate.HasPrivateKey);
            Assert.Equal(_certs.Server.Thumbprint, config.Tls.Certificate.Thumbprint);
            Assert.Equal(SslProtocols.Tls13, config.Tls.Protocols);
            // A client CA without a type means mutual TLS, as in the exporters.
            Assert.Equal(ClientAuthType.RequireAndVerifyClientCert, config.Tls.ClientAuth);
            Assert.Single(config.Tls.ClientCas);
            Assert.Equal(s_hash.Value, config.Users["prometheus"]);
            Assert.True(config.RequiresAuthentication);
        }
        finally
        {
            WebConfigLoader.Dispose(config);
        }
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        // name, content ({cert}, {key}, {ca}, {hash} replaced), text the message must contain
        { "unknown top key", "tls_config:\n  cert_file: x\n", "tls_config: unknown key; known keys are tls_server_config, basic_auth_users" },
        { "unknown tls key", "tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n  max_version: TLS13\n", "tls_server_config.max_version: unknown key" },
        { "missing key file", "tls_server_config:\n  cert_file: {cert}\n", "tls_server_config.key_file: is required" },
        { "cert does not exist", "tls_server_config:\n  cert_file: nope.crt\n  key_file: {key}\n", "tls_server_config.cert_file: '" },
        { "key is not a key", "tls_server_config:\n  cert_file: {cert}\n  key_file: {ca}\n", "tls_server_config: cert_file" },
        { "tls 1.0", "tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n  min_version: TLS10\n", "tls_server_config.min_version: TLS10 is not allowed" },
        { "bad min version", "tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n  min_version: SSL3\n", "tls_server_config.min_version: 'SSL3' is not one of TLS12, TLS13" },
        { "bad client auth", "tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n  client_auth_type: Sometimes\n", "tls_server_config.client_auth_type: 'Sometimes' is not one of" },
        { "verify without ca", "tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n  client_auth_type: RequireAndVerifyClientCert\n", "tls_server_config.client_ca_file: is required" },
        { "plain password", "basic_auth_users:\n  alice: hunter2-plain\n", "basic_auth_users.alice: is not a bcrypt hash" },
        { "cheap bcrypt", "basic_auth_users:\n  alice: $2y$04$abcdefghijklmnopqrstuV3tC0Zx0l3wQm3b1kq6cF1S5d9iN2XyG\n", "basic_auth_users.alice: bcrypt cost 4 is outside 10-14" },
        { "colon in user", "basic_auth_users:\n  'a:b': {hash}\n", "basic_auth_users: a user name must be non-empty" },
        { "users not a map", "basic_auth_users: [alice]\n", "basic_auth_users: expected a mapping" },
        { "not yaml", "tls_server_config: [unclosed\n", "malformed YAML at line" },
        { "scalar root", "just a string\n", "must hold a YAML mapping" },
        { "empty", "", "is empty" },
        { "nothing configured", "basic_auth_users: {}\n", "configures neither tls_server_config nor basic_auth_users" },
        { "http server config", "http_server_config:\n  http2: false\n", "http_server_config: is not supported" },
        { "dot dot path", "tls_server_config:\n  cert_file: ../{cert}\n  key_file: {key}\n", "contains a '..' segment" },
        { "duplicate key", "basic_auth_users:\n  a: {hash}\n  a: {hash}\n", "malformed YAML" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Load_BadFile_ThrowsNamingTheKeyWithoutTheHash(string name, string content, string expected)
    {
        var text = content
            .Replace("{cert}", Path.GetFileName(_certs.CertFile), StringComparison.Ordinal)
            .Replace("{key}", Path.GetFileName(_certs.KeyFile), StringComparison.Ordinal)
            .Replace("{ca}", Path.GetFileName(_certs.CaFile), StringComparison.Ordinal)
            .Replace("{hash}", s_hash.Value, StringComparison.Ordinal);
        var path = _temp.File(name.Replace(' ', '-') + ".yml", text);

        var ex = Assert.Throws<ConfigurationException>(() => WebConfigLoader.Load(path));

        Assert.Equal("Metrics:WebConfigFile", ex.Key);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(s_hash.Value, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(s_hash.Value[7..], ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Load_HugeFile_RefusedBeforeParsing()
    {
        var path = _temp.File("huge.yml", "basic_auth_users:\n" + string.Concat(Enumerable.Range(0, 2000).Select(i => $"  user{i}: {s_hash.Value}\n")));

        var ex = Assert.Throws<ConfigurationException>(() => WebConfigLoader.Load(path));

        Assert.Contains("a web-config file may have at most 65536", ex.Message, StringComparison.Ordinal);
    }
}
