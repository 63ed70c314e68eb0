using Prometheus;

namespace BenchDaemon.Telemetry;

/// <summary>
/// Publishes the catalogue through prometheus-net's own API (exact names, types and units;
/// docs/metrics.md says why its MeterAdapter is not used). Values are pulled from the
/// <see cref="IMetricSource"/>s right before each scrape; a series a source stops writing
/// is removed, so a vanished device, file or process leaves no frozen value behind and no
/// object in memory (a process label that comes and goes for months would otherwise keep one
/// child per process ever seen), and a counter that comes back starts again from its source.
/// Histograms are pushed by <see cref="TelemetryRecorder"/> into the same registry.
/// </summary>
public sealed class PrometheusMetricSink : IMetricWriter
{
    private readonly Dictionary<MetricDefinition, Collector> _collectors = [];
    private readonly IEnumerable<IMetricSource> _sources;
    private readonly MetricFactory _factory;
    private readonly Lock _lock = new();
    private HashSet<ChildBase> _written = [];
    private HashSet<ChildBase> _previous = [];

    /// <summary>Pulls from <paramref name="sources"/> before each scrape of <paramref name="registry"/>.</summary>
    public PrometheusMetricSink(CollectorRegistry registry, IEnumerable<IMetricSource> sources)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(sources);
        Registry = registry;
        _sources = sources;
        _factory = (MetricFactory)Metrics.WithCustomRegistry(registry);
        registry.AddBeforeCollectCallback(Collect);
    }

    /// <summary>The registry /metrics serves.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Pulls every source into the prometheus-net metrics. Called by the registry before each scrape.</summary>
    internal void Collect()
    {
        lock (_lock)
        {
            foreach (var source in _sources)
            {
                source.Collect(this);
            }

            foreach (var stale in _previous)
            {
                if (!_written.Contains(stale))
                {
                    stale.Remove();
                }
            }

            (_previous, _written) = (_written, _previous);
            _written.Clear();
        }
    }

    // Created on first write, so a metric with no data at all (RAPL on a virtual machine)
    // is absent from /metrics rather than an empty family.
    private Collector GetOrCreate(MetricDefinition metric)
    {
        if (!_collectors.TryGetValue(metric, out var collector))
        {
            collector = metric.Kind switch
            {
                MetricKind.Counter => _factory.CreateCounter(metric.PrometheusName, metric.Help, new CounterConfiguration
                {
                    LabelNames = metric.Labels,
                    SuppressInitialValue = true,
                }),
                MetricKind.Gauge => _factory.CreateGauge(metric.PrometheusName, metric.Help, new GaugeConfiguration
                {
                    LabelNames = metric.Labels,
                    SuppressInitialValue = true,
                }),
                _ => throw new InvalidOperationException($"unsupported kind {metric.Kind}"),
            };
            _collectors[metric] = collector;
        }

        return collector;
    }

    void IMetricWriter.Write(MetricDefinition metric, double value, params string[] labelValues)
    {
        ChildBase child;
        switch (GetOrCreate(metric))
        {
            case Counter counter:
                var counterChild = counter.WithLabels(labelValues);
                counterChild.IncTo(value);
                child = counterChild;
                break;
            case Gauge gauge:
                var gaugeChild = gauge.WithLabels(labelValues);
                gaugeChild.Set(value);
                child = gaugeChild;
                break;
            default:
                throw new InvalidOperationException($"no collector for {metric.Name}");
        }

        child.Publish();
        _written.Add(child);
    }
}
