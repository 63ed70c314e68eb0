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

    /// <summary>Writes the report as a small JSON document.</summary>
    public static Task WriteResponse(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
