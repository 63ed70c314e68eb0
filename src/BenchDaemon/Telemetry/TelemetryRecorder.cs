using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchDaemon.Configuration;
using Microsoft.Extensions.Options;
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
    private readonly IReadOnlyList<double> _latencyBuckets;

    /// <summary>
    /// Records into <paramref name="registry"/> and, with a <paramref name="meterFactory"/>, into
    /// the <see cref="OtlpMetricSink.MeterName"/> meter; the latency histogram's resolution comes
    /// from <paramref name="metrics"/> (the default without).
    /// </summary>
    public TelemetryRecorder(CollectorRegistry registry, IMeterFactory? meterFactory = null, IOptions<MetricsOptions>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _factory = (MetricFactory)Metrics.WithCustomRegistry(registry);
        _meter = meterFactory?.Create(OtlpMetricSink.MeterName, BuildInfoSource.Version);
        _latencyBuckets = metrics?.Value is { } options ? TelemetryCatalogue.LatencyBuckets(options) : TelemetryCatalogue.DefaultLatencyBuckets;
    }

    /// <summary>The bucket bounds the histogram <paramref name="metric"/> is exported with.</summary>
    public IReadOnlyList<double> Buckets(MetricDefinition metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return ReferenceEquals(metric, TelemetryCatalogue.CanaryLatency) ? _latencyBuckets : metric.Buckets;
    }

    /// <summary>
    /// Removes the series of the histogram <paramref name="metric"/> whose label values
    /// <paramref name="remove"/> picks, from /metrics (a removed canary's histogram goes with it).
    /// OTLP keeps exporting a cumulative series until the daemon restarts (OpenTelemetry .NET
    /// cannot forget one); its value no longer changes.
    /// </summary>
    public void Remove(MetricDefinition metric, Func<string[], bool> remove)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(remove);
        Prometheus.Histogram histogram;
        lock (_lock)
        {
            if (!_histograms.TryGetValue(metric, out var instruments))
            {
                return;
            }

            histogram = instruments.Prometheus;
        }

        foreach (var labels in histogram.GetAllLabelValues().Where(remove).ToList())
        {
            histogram.RemoveLabelled(labels);
        }
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
                var buckets = Buckets(metric);
                var prometheus = _factory.CreateHistogram(metric.PrometheusName, metric.Help, new HistogramConfiguration
                {
                    LabelNames = metric.Labels,
                    Buckets = [.. buckets],
                    SuppressInitialValue = true,
                });
                // The same bucket bounds as /metrics, given to the SDK as advice (an exponential
                // histogram view, Otlp:Histograms=Exponential, takes precedence).
                var otlp = _meter?.CreateHistogram(metric.Name, metric.OtlpUnit, metric.Help, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });
                instruments = (prometheus, otlp);
                _histograms[metric] = instruments;
            }

            return instruments;
        }
    }
}
