using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace BenchDaemon.Hosting;

/// <summary>The request limits of the HTTP endpoint (docs/security.md).</summary>
public static class KestrelLimits
{
    /// <summary>Simultaneous connections; Prometheus HA pairs and a few curls need a handful.</summary>
    public const int MaxConnections = 64;

    /// <summary>Request line (method, path, query, version) in bytes.</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>All request headers together, in bytes; a basic-auth header is well under 1 KiB.</summary>
    public const int MaxHeadersBytes = 16 * 1024;

    /// <summary>Number of request headers.</summary>
    public const int MaxHeaderCount = 64;

    /// <summary>The whole request line and headers must arrive within this, however slowly they trickle.</summary>
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this; longer than any sane scrape interval's gap is not needed.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Applies the limits.</summary>
    public static void Apply(KestrelServerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.MaxConcurrentConnections = MaxConnections;
        limits.MaxConcurrentUpgradedConnections = 0;
        // No endpoint takes a body: any request that declares one is answered 413.
        limits.MaxRequestBodySize = 0;
        limits.MaxRequestLineSize = MaxRequestLineBytes;
        limits.MaxRequestHeadersTotalSize = MaxHeadersBytes;
        limits.MaxRequestHeaderCount = MaxHeaderCount;
        // Kestrel buffers at most this much unparsed input per connection.
        limits.MaxRequestBufferSize = 64 * 1024;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.RequestHeadersTimeout = HeadersTimeout;
        limits.Http2.MaxStreamsPerConnection = 16;
        limits.Http2.MaxRequestHeaderFieldSize = MaxHeadersBytes;
    }
}
