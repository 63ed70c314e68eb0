using BenchDaemon.Telemetry;
using Microsoft.AspNetCore.Http;

namespace BenchDaemon.Hosting;

/// <summary>
/// The daemon's three paths — <c>/metrics</c>, <c>/healthz</c> and a landing page at <c>/</c> —
/// as one terminal middleware instead of endpoint routing: the same answers (paths matched
/// case-insensitively, a trailing slash ignored; GET and HEAD; 405 with <c>Allow</c> for other
/// methods, 404 elsewhere) without routing's and minimal APIs' code generation, which kept
/// several MiB resident in a daemon that serves three fixed paths (bench/README.md).
/// </summary>
internal sealed class DaemonEndpoints(MetricsEndpoint metrics, SamplerHealthCheck health)
{
    private const string Allow = "GET, HEAD";

    private const string LandingPage = """
        <!doctype html>
        <html><head><title>BenchDaemon</title></head>
        <body><h1>BenchDaemon</h1>
        <p>Canary inference workloads and GPU/host probes for ML inference servers.</p>
        <ul><li><a href="/metrics">/metrics</a> (Prometheus)</li><li><a href="/healthz">/healthz</a></li></ul>
        </body></html>
        """;

    /// <summary>Answers the request.</summary>
    public Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value ?? "/";
        if (path.Length > 1 && path.EndsWith('/'))
        {
            path = path[..^1];
        }

        Func<HttpContext, Task>? handler = path.ToLowerInvariant() switch
        {
            "/metrics" => metrics.HandleAsync,
            "/healthz" => health.HandleAsync,
            "/" or "" => Landing,
            _ => null,
        };
        if (handler is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = Allow;
            return Task.CompletedTask;
        }

        return handler(context);
    }

    private static async Task Landing(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.WriteAsync(LandingPage, context.RequestAborted);
        }
    }
}
