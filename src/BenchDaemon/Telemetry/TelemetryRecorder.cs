using Microsoft.Extensions.DependencyInjection;

namespace BenchDaemon.Telemetry;

/// <summary>
/// The push side of the catalogue: observations (histogram samples) go to /metrics and, when
/// OTLP export is on, to the OpenTelemetry meter, through one call.
/// </summary>
public sealed class TelemetryRecorder(PrometheusMetricSink prometheus, IServiceProvider services)
{
    private readonly OtlpMetricSink? _otlp = services.GetService<OtlpMetricSink>();

    /// <summary>Records <paramref name="values"/> into the histogram <paramref name="metric"/>.</summary>
    public void Observe(MetricDefinition metric, IReadOnlyList<double> values, params string[] labelValues)
    {
        prometheus.Observe(metric, values, labelValues);
        _otlp?.Observe(metric, values, labelValues);
    }
}
