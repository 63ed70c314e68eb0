using System.Buffers;
using System.Globalization;
using System.Text.Json;
using BenchDaemon.Probes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BenchDaemon.Hosting;

/// <summary>Healthy while the probe sampler keeps ticking: the last sample is younger than three intervals.</summary>
public sealed class SamplerHealthCheck(ProbeSampler sampler, TimeProvider timeProvider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = sampler.Latest;
        var age = timeProvider.GetUtcNow() - snapshot.Host.Timestamp;
        var limit = sampler.Interval * 3;
        var data = new Dictionary<string, object>
        {
            ["samples"] = snapshot.Sequence,
            ["last_sample_age_seconds"] = Math.Round(age.TotalSeconds, 3),
        };
        var result = snapshot.Sequence == 0
            ? HealthCheckResult.Unhealthy("no probe sample yet", data: data)
            : age > limit
                ? HealthCheckResult.Unhealthy($"last probe sample is {age.TotalSeconds:F1} s old (limit {limit.TotalSeconds:F1} s)", data: data)
                : HealthCheckResult.Healthy("probes sampling", data);
        return Task.FromResult(result);
    }

    /// <summary>
    /// Answers /healthz: 200 with a small JSON document while the probes sample, 503 otherwise
    /// (the body of ASP.NET's health-check endpoint, with this one check called <c>probes</c>).
    /// </summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await CheckHealthAsync(new HealthCheckContext(), context.RequestAborted);
        context.Response.StatusCode = result.Status == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store, no-cache";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(Body(result), context.RequestAborted);
        }
    }

    // {"status":…,"checks":{"probes":{"status":…,"description":…,"data":{…}}}}, written by hand:
    // the data values are objects, and a native AOT build has no serializer for a runtime type.
    private static ReadOnlyMemory<byte> Body(HealthCheckResult result)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", result.Status.ToString());
            json.WriteStartObject("checks");
            json.WriteStartObject("probes");
            json.WriteString("status", result.Status.ToString());
            json.WriteString("description", result.Description);
            json.WriteStartObject("data");
            foreach (var (key, value) in result.Data)
            {
                json.WritePropertyName(key);
                switch (value)
                {
                    case long l:
                        json.WriteNumberValue(l);
                        break;
                    case double d:
                        json.WriteNumberValue(d);
                        break;
                    default:
                        json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                        break;
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }
}
