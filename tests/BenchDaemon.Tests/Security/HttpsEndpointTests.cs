using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using BenchDaemon.Security;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Security;

/// <summary>
/// The real daemon with a web-config file, reached by real TLS clients on loopback: HttpClient
/// trusting only the test's own CA, and raw SslStream for what HttpClient will not send.
/// </summary>
public sealed class HttpsEndpointTests : IDisposable
{
    private const string Password = "correct horse battery staple";
    private static readonly Lazy<string> s_hash = new(() => BCrypt.Net.BCrypt.HashPassword(Password, 10));
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _temp = new();
    private readonly TestCertificates _certs;

    public HttpsEndpointTests()
    {
        _certs = new TestCertificates(_temp.Path);
    }

    public void Dispose()
    {
        _certs.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Https_WithBasicAuth_OnlyTheRightPasswordGetsMetrics()
    {
        var web = WriteWebConfig(tls: true, users: true);
        await using var daemon = await StartAsync(web);
        using var client = Client(daemon.Port);

        using var none = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        using var wrong = await client.SendAsync(Request(HttpMethod.Get, "/metrics", "prometheus", "wrong"), TestContext.Current.CancellationToken);
        using var unknown = await client.SendAsync(Request(HttpMethod.Get, "/metrics", "mallory", Password), TestContext.Current.CancellationToken);
        using var health = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        using var right = await client.SendAsync(Request(HttpMethod.Get, "/metrics", "prometheus", Password), TestContext.Current.CancellationToken);

        foreach (var refused in new[] { none, wrong, unknown, health })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var challenge = Assert.Single(refused.Headers.WwwAuthenticate);
            Assert.Equal("Basic", challenge.Scheme);
            Assert.Contains("realm=\"benchdaemon\"", challenge.Parameter, StringComparison.Ordinal);
            Assert.DoesNotContain("benchdaemon_", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("benchdaemon_build_info", await right.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(new Version(1, 1), right.Version);
        Assert.DoesNotContain(s_hash.Value, daemon.StandardOutput + daemon.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, daemon.StandardOutput + daemon.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_PlainHttpClient_GetsNoMetrics()
    {
        var web = WriteWebConfig(tls: true, users: false);
        await using var daemon = await StartAsync(web);

        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.Port}"), Timeout = TimeSpan.FromSeconds(5) };
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var response = await plain.GetAsync("/metrics", TestContext.Current.CancellationToken);
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        });

        // Either the TLS listener drops the plaintext request, or answers 400: never metrics.
        Assert.True(failure is null or HttpRequestException or TaskCanceledException, failure?.ToString());
        using var client = Client(daemon.Port);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Https_Tls13Minimum_RefusesTls12Handshake()
    {
        var web = WriteWebConfig(tls: true, users: false, extraTls: "  min_version: TLS13\n");
        await using var daemon = await StartAsync(web);

        var tls12 = await Record.ExceptionAsync(() => HandshakeAsync(daemon.Port, SslProtocols.Tls12, null));
        var tls13 = await HandshakeAsync(daemon.Port, SslProtocols.Tls13, null);

        Assert.NotNull(tls12);
        Assert.Equal(SslProtocols.Tls13, tls13);
    }

    [Fact]
    public async Task MutualTls_ClientWithoutCertificate_IsRefused_WithCertificate_Served()
    {
        var web = WriteWebConfig(tls: true, users: false, extraTls: $"  client_ca_file: {Path.GetFileName(_certs.CaFile)}\n");
        await using var daemon = await StartAsync(web);

        var without = await Record.ExceptionAsync(async () =>
        {
            using var anonymous = Client(daemon.Port);
            using var response = await anonymous.GetAsync("/metrics", TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
        });
        using var stranger = new TestCertificates(_temp.Path, "stranger");
        var foreign = await Record.ExceptionAsync(async () =>
        {
            using var client = Client(daemon.Port, stranger.Client);
            using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
            response.EnsureSuccessStatusCode();
        });
        using var trusted = Client(daemon.Port, _certs.Client);
        using var ok = await trusted.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.NotNull(without);
        Assert.NotNull(foreign);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Sighup_NewPasswordInWebConfig_TakesEffectWithoutRestart_BrokenFileKeepsOld()
    {
        var web = WriteWebConfig(tls: true, users: true);
        await using var daemon = await StartAsync(web);
        using var client = Client(daemon.Port);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(HttpMethod.Get, "/metrics", "prometheus", Password), TestContext.Current.CancellationToken)).StatusCode);

        File.WriteAllText(web, File.ReadAllText(web).Replace(s_hash.Value, BCrypt.Net.BCrypt.HashPassword("rotated", 10), StringComparison.Ordinal));
        Signals.Send(daemon.Pid, Signals.SigHup);
        await WaitForLogAsync(daemon, "reloaded: 1 users");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Request(HttpMethod.Get, "/metrics", "prometheus", Password), TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(HttpMethod.Get, "/metrics", "prometheus", "rotated"), TestContext.Current.CancellationToken)).StatusCode);

        File.WriteAllText(web, "basic_auth_users: [broken\n");
        Signals.Send(daemon.Pid, Signals.SigHup);
        await WaitForLogAsync(daemon, "Web-config reload rejected");

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(HttpMethod.Get, "/metrics", "prometheus", "rotated"), TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Run_MalformedWebConfig_Exits78NamingTheKey()
    {
        var web = _temp.File("web.yml", "tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n");

        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(
            ["run", "--set", $"State:Directory={_temp.Path}", "--set", $"Metrics:WebConfigFile={web}", "--set", $"Metrics:Listen=127.0.0.1:{FreePort.Next()}"]);

        Assert.Equal(78, exitCode);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("benchdaemon: configuration error: Metrics:WebConfigFile: ", line, StringComparison.Ordinal);
        Assert.Contains("tls_server_config.cert_file", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeadAndOptions_OnMetrics_AnsweredCorrectly()
    {
        await using var daemon = DaemonProcess.Start(_temp.Path);
        await daemon.WaitForAsync("/metrics", s_startTimeout);
        using var client = new HttpClient { BaseAddress = daemon.BaseAddress };

        using var get = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/metrics"), TestContext.Current.CancellationToken);
        using var options = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/metrics"), TestContext.Current.CancellationToken);
        using var post = await client.PostAsync("/metrics", new StringContent(string.Empty), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.True(head.Content.Headers.ContentLength > 0);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, options.StatusCode);
        Assert.Contains("GET", options.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    private string WriteWebConfig(bool tls, bool users, string extraTls = "")
    {
        var text = new StringBuilder();
        if (tls)
        {
            text.Append($"tls_server_config:\n  cert_file: {Path.GetFileName(_certs.CertFile)}\n  key_file: {Path.GetFileName(_certs.KeyFile)}\n{extraTls}");
        }

        if (users)
        {
            text.Append($"basic_auth_users:\n  prometheus: {s_hash.Value}\n");
        }

        return _temp.File("web.yml", text.ToString());
    }

    private async Task<DaemonProcess> StartAsync(string webConfig)
    {
        var state = Directory.CreateDirectory(Path.Combine(_temp.Path, "state-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var daemon = DaemonProcess.Start(state, ["--set", $"Metrics:WebConfigFile={webConfig}"]);
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, daemon.Port);
                return daemon;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        await daemon.DisposeAsync();
        throw new TimeoutException($"daemon did not listen: {daemon.StandardError}");
    }

    private HttpClient Client(int port, X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => _certs.Trusts(certificate),
            },
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string user, string password)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return request;
    }

    private async Task<SslProtocols> HandshakeAsync(int port, SslProtocols protocols, X509Certificate2? clientCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) => _certs.Trusts(certificate));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            EnabledSslProtocols = protocols,
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
        });
        return ssl.SslProtocol;
    }

    private static async Task WaitForLogAsync(DaemonProcess daemon, string text)
    {
        for (var i = 0; i < 100 && !daemon.StandardOutput.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        Assert.Contains(text, daemon.StandardOutput, StringComparison.Ordinal);
    }
}
