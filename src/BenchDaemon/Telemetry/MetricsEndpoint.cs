using System.IO.Compression;
using BenchDaemon.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Telemetry;

/// <summary>
/// Serves /metrics. One exposition is rendered at a time and reused for
/// <see cref="MetricsOptions.CacheDuration"/>, so many scrapers (HA Prometheus pairs, ad-hoc
/// curls, a federation) cost one serialisation, not one each; gzip is offered to clients that
/// accept it (Prometheus does), compressed once per rendering.
/// </summary>
public sealed class MetricsEndpoint(PrometheusMetricSink sink, TimeProvider timeProvider, IOptions<MetricsOptions> options) : IDisposable
{
    /// <summary>The Prometheus text exposition format, version 0.0.4.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeSpan _cacheDuration = options.Value.CacheDuration;
    private Rendering? _current;

    public void Dispose() => _gate.Dispose();

    /// <summary>Writes the exposition to <paramref name="context"/>.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rendering = await RenderAsync(context.RequestAborted);
        var gzip = context.Request.Headers.AcceptEncoding.Any(v => v?.Contains("gzip", StringComparison.OrdinalIgnoreCase) == true);
        var body = gzip ? rendering.Gzip.Value : rendering.Plain;
        context.Response.ContentType = ContentType;
        context.Response.Headers.Vary = "Accept-Encoding";
        if (gzip)
        {
            context.Response.Headers.ContentEncoding = "gzip";
        }

        context.Response.ContentLength = body.Length;
        // HEAD: the same headers as GET, no body (HTTP semantics, RFC 9110 section 9.3.2).
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private async Task<Rendering> RenderAsync(CancellationToken cancellationToken)
    {
        if (Fresh(Volatile.Read(ref _current)) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Scrapers that waited here take the rendering the first one made.
            if (Fresh(_current) is { } again)
            {
                return again;
            }

            using var buffer = new MemoryStream(64 * 1024);
            await sink.Registry.CollectAndExportAsTextAsync(buffer, cancellationToken);
            var rendering = new Rendering(timeProvider.GetTimestamp(), buffer.ToArray());
            Volatile.Write(ref _current, rendering);
            return rendering;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Rendering? Fresh(Rendering? rendering) =>
        rendering is not null && _cacheDuration > TimeSpan.Zero && timeProvider.GetElapsedTime(rendering.Timestamp) < _cacheDuration
            ? rendering
            : null;

    private sealed class Rendering(long timestamp, byte[] plain)
    {
        public long Timestamp { get; } = timestamp;

        public byte[] Plain { get; } = plain;

        // Fastest level: a scrape body compresses about 15:1 even so, at a fraction of the CPU of level 6.
        public Lazy<byte[]> Gzip { get; } = new(() =>
        {
            using var output = new MemoryStream(plain.Length / 8 + 64);
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(plain);
            }

            return output.ToArray();
        });
    }
}
