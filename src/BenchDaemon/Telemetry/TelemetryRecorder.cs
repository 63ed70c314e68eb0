using System.Diagnostics;
using System.Diagnostics.Metrics;
using Prometheus;

namespace BenchDaemon.Telemetry;

/// <summary>
/// The push side of the catalogue: observations (histogram samples) go to /metrics (a
/// prometheus-net histogram on the registry /metrics serves) and to the OpenTelemetry meter
/// (a histogram instrument the OTLP exporter reads when it is on; a no-op when nothing listens),
/// through one call. The pull side — counters and gauges read from the metric sources — is
/// <see cref="PrometheusMetricSink"/> and <see cref="OtlpMetricSink"/>; the recorder depends on
/// neither, so a source may record histograms.
/// </summary>
public sealed class TelemetryRecorder : IDisposable
{
    private readonly MetricFactory _factory;
    private readonly Meter? _meter;
    private readonly Dictionary<MetricDefinition, (Prometheus.Histogram Prometheus, Histogram<double>? Otlp)> _histograms = [];
    private readonly Lock _lock = new();

    /// <summary>Records into <paramref name="registry"/> and, with a <paramref name="meterFactory"/>, into the <see cref="OtlpMetricSink.MeterName"/> meter.</summary>
    public TelemetryRecorder(CollectorRegistry registry, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _factory = (MetricFactory)Metrics.WithCustomRegistry(registry);
        _meter = meterFactory?.Create(OtlpMetricSink.MeterName, BuildInfoSource.Version);
    }

    /// <summary>Records <paramref name="values"/>, each standing for <paramref name="weight"/> observations, into the histogram <paramref name="metric"/>.</summary>
    public void Observe(MetricDefinition metric, IReadOnlyList<double> values, int weight, params string[] labelValues)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(values);
        var (prometheus, otlp) = Instruments(metric);
        var child = prometheus.WithLabels(labelValues);
        foreach (var value in values)
        {
            child.Observe(value, weight);
        }

        child.Publish();
        if (otlp is { Enabled: true })
        {
            var tags = new TagList();
            for (var i = 0; i < labelValues.Length; i++)
            {
                tags.Add(metric.Labels[i], labelValues[i]);
            }

            foreach (var value in values)
            {
                for (var i = 0; i < weight; i++)
                {
                    otlp.Record(value, tags);
                }
            }
        }
    }

    public void Dispose() => _meter?.Dispose();

    // Created on first use, so a histogram with no observation is absent from /metrics.
    private (Prometheus.Histogram, Histogram<double>?) Instruments(MetricDefinition metric)
    {
        if (metric.Kind != MetricKind.Histogram)
        {
            throw new ArgumentException($"{metric.Name} is not a histogram", nameof(metric));
        }

        lock (_lock)
        {
            if (!_histograms.TryGetValue(metric, out var instruments))
            {
                var prometheus = _factory.CreateHistogram(metric.PrometheusName, metric.Help, new HistogramConfiguration
                {
                    LabelNames = metric.Labels,
                    Buckets = [.. metric.Buckets],
                    SuppressInitialValue = true,
                });
                // The same bucket bounds as /metrics, given to the SDK as advice.
                var otlp = _meter?.CreateHistogram(metric.Name, metric.OtlpUnit, metric.Help, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = metric.Buckets });
                instruments = (prometheus, otlp);
                _histograms[metric] = instruments;
            }

            return instruments;
        }
    }
}
