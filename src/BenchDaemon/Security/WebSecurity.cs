using System.Net;
using System.Security.Cryptography.X509Certificates;
using BenchDaemon.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Security;

/// <summary>
/// TLS and basic authentication of the HTTP endpoint from <c>Metrics:WebConfigFile</c>. The
/// file is read at start (a bad one stops the daemon with exit 78) and again on
/// <see cref="Reload"/> (SIGHUP): new users and a new certificate take effect for the next
/// request or handshake; a bad file is logged and the running settings stay. Turning TLS on or
/// off needs a restart, because the listener itself changes.
/// </summary>
public sealed partial class WebSecurity : IDisposable
{
    /// <summary>The <c>WWW-Authenticate</c> challenge sent with every 401.</summary>
    public const string Challenge = "Basic realm=\"benchdaemon\", charset=\"UTF-8\"";

    private static readonly TimeSpan s_failureLogInterval = TimeSpan.FromMinutes(1);

    private readonly string? _path;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<WebSecurity> _logger;
    private readonly BasicAuthenticator _authenticator;
    private readonly List<WebConfig> _retired = [];
    private readonly Lock _lock = new();
    private WebConfig? _current;
    private long _failures;
    private long _lastFailureLog;

    public WebSecurity(IOptions<MetricsOptions> options, TimeProvider timeProvider, ILogger<WebSecurity> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider;
        _logger = logger;
        _authenticator = new BasicAuthenticator(timeProvider);
        _path = string.IsNullOrWhiteSpace(options.Value.WebConfigFile) ? null : options.Value.WebConfigFile;
        _current = _path is null ? null : WebConfigLoader.Load(_path);
        TlsEnabled = _current?.Tls is not null;
    }

    /// <summary>True when a web-config file is in use.</summary>
    public bool Enabled => _path is not null;

    /// <summary>True when the endpoint serves HTTPS (fixed at start).</summary>
    public bool TlsEnabled { get; }

    /// <summary>The settings in effect.</summary>
    public WebConfig? Current => Volatile.Read(ref _current);

    /// <summary>The authenticator (its cache and counters are visible to tests).</summary>
    public BasicAuthenticator Authenticator => _authenticator;

    /// <summary>Re-reads the web-config file; returns whether the new settings were applied.</summary>
    public bool Reload()
    {
        if (_path is null)
        {
            return false;
        }

        WebConfig next;
        try
        {
            next = WebConfigLoader.Load(_path);
        }
        catch (ConfigurationException ex)
        {
            LogReloadRejected(_logger, ex.Message);
            return false;
        }

        if ((next.Tls is not null) != TlsEnabled)
        {
            LogTlsNeedsRestart(_logger, _path, TlsEnabled ? "on" : "off");
            if (TlsEnabled)
            {
                WebConfigLoader.Dispose(next);
                return false;
            }

            var withoutTls = next with { Tls = null };
            WebConfigLoader.Dispose(next);
            next = withoutTls;
        }

        lock (_lock)
        {
            // A handshake may still hold the old certificate: release it when the daemon stops.
            if (_current is not null)
            {
                _retired.Add(_current);
            }

            Volatile.Write(ref _current, next);
        }

        _authenticator.Clear();
        LogReloaded(_logger, _path, next.Users.Count, next.Tls is not null);
        return true;
    }

    /// <summary>The HTTPS settings for Kestrel; the certificate is looked up per handshake, so a reload rotates it.</summary>
    public HttpsConnectionAdapterOptions HttpsOptions()
    {
        var tls = Current?.Tls ?? throw new InvalidOperationException("TLS is not configured.");
        return new HttpsConnectionAdapterOptions
        {
            ServerCertificateSelector = (_, _) => Current?.Tls?.Certificate,
            SslProtocols = tls.Protocols,
            ClientCertificateMode = tls.ClientAuth switch
            {
                ClientAuthType.RequireAndVerifyClientCert => Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate,
                ClientAuthType.VerifyClientCertIfGiven => Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate,
                _ => Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate,
            },
            ClientCertificateValidation = (certificate, _, _) => ValidateClient(certificate),
            CheckCertificateRevocation = false,
            HandshakeTimeout = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>Middleware: answers 401 with a challenge unless the request carries valid credentials.</summary>
    public async Task AuthenticateAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var config = Current;
        if (config is null || !config.RequiresAuthentication)
        {
            await next(context);
            return;
        }

        var (ok, user) = await _authenticator.VerifyAsync(context.Request.Headers.Authorization, config.Users, context.RequestAborted);
        if (ok)
        {
            await next(context);
            return;
        }

        NoteFailure(context.Connection.RemoteIpAddress, user);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = Challenge;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("Unauthorized\n", context.RequestAborted);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            WebConfigLoader.Dispose(_current);
            foreach (var retired in _retired)
            {
                WebConfigLoader.Dispose(retired);
            }

            _retired.Clear();
            _current = null;
        }

        _authenticator.Dispose();
    }

    private bool ValidateClient(X509Certificate2 certificate)
    {
        var tls = Current?.Tls;
        if (tls is null || tls.ClientCas.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(tls.ClientCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _timeProvider.GetLocalNow().DateTime;
        return chain.Build(certificate);
    }

    // One warning a minute at most, with the count: a password-guessing flood must not fill the disk with logs.
    private void NoteFailure(IPAddress? remote, string? user)
    {
        var count = Interlocked.Increment(ref _failures);
        var now = _timeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _lastFailureLog);
        if ((last == 0 || _timeProvider.GetElapsedTime(last, now) >= s_failureLogInterval)
            && Interlocked.CompareExchange(ref _lastFailureLog, now, last) == last)
        {
            LogUnauthorized(_logger, count, remote?.ToString() ?? "unknown", user ?? "(no credentials)");
        }
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Warning, Message = "HTTP request refused: wrong or missing credentials ({Count} refused since start; latest from {Remote}, user {User})")]
    private static partial void LogUnauthorized(ILogger logger, long count, string remote, string user);

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "Web-config reload rejected: {Problem}; the running TLS and authentication settings stay in effect")]
    private static partial void LogReloadRejected(ILogger logger, string problem);

    [LoggerMessage(EventId = 902, Level = LogLevel.Information, Message = "Web-config {Path} reloaded: {Users} users, TLS {Tls}")]
    private static partial void LogReloaded(ILogger logger, string path, int users, bool tls);

    [LoggerMessage(EventId = 903, Level = LogLevel.Warning, Message = "Web-config {Path} turns TLS on or off; the listener keeps TLS {Current} until a restart")]
    private static partial void LogTlsNeedsRestart(ILogger logger, string path, string current);
}
