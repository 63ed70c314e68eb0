using System.Diagnostics.Metrics;

namespace BenchDaemon.Telemetry;

/// <summary>
/// Publishes the catalogue as observable instruments on the <c>BenchDaemon</c> meter, which
/// the OpenTelemetry SDK exports over OTLP. Instrument names are the catalogue base names
/// with units as UCUM codes, so a Collector's Prometheus exporter derives the /metrics names.
/// All sources are collected once per export cycle, not once per instrument. Histograms are
/// recorded on the same meter by <see cref="TelemetryRecorder"/>.
/// </summary>
public sealed class OtlpMetricSink : IMetricWriter, IDisposable
{
    /// <summary>The meter name to enable in the OpenTelemetry SDK.</summary>
    public const string MeterName = "BenchDaemon";

    // An export cycle observes every instrument within milliseconds; a batch younger than
    // this is reused by the remaining instruments of the same cycle.
    private static readonly TimeSpan s_batchReuse = TimeSpan.FromMilliseconds(500);

    private readonly Meter _meter;
    private readonly IEnumerable<IMetricSource> _sources;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private Dictionary<MetricDefinition, List<Measurement<double>>> _batch = [];
    private long _batchTimestamp = long.MinValue;

    /// <summary>Observes <paramref name="sources"/> once per export cycle.</summary>
    public OtlpMetricSink(IMeterFactory meterFactory, IEnumerable<IMetricSource> sources, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(sources);
        _meter = meterFactory.Create(MeterName, BuildInfoSource.Version);
        _sources = sources;
        _timeProvider = timeProvider;
        foreach (var metric in TelemetryCatalogue.All)
        {
            var definition = metric;
            switch (metric.Kind)
            {
                case MetricKind.Counter:
                    _meter.CreateObservableCounter(metric.Name, () => Observe(definition), metric.OtlpUnit, metric.Help);
                    break;
                case MetricKind.Gauge:
                    _meter.CreateObservableGauge(metric.Name, () => Observe(definition), metric.OtlpUnit, metric.Help);
                    break;
            }
        }
    }

    public void Dispose() => _meter.Dispose();

    internal IEnumerable<Measurement<double>> Observe(MetricDefinition metric)
    {
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            if (_batchTimestamp == long.MinValue || _timeProvider.GetElapsedTime(_batchTimestamp, now) > s_batchReuse)
            {
                _batch = [];
                foreach (var source in _sources)
                {
                    source.Collect(this);
                }

                _batchTimestamp = now;
            }

            return _batch.TryGetValue(metric, out var measurements) ? [.. measurements] : [];
        }
    }

    void IMetricWriter.Write(MetricDefinition metric, double value, params string[] labelValues)
    {
        var tags = new KeyValuePair<string, object?>[labelValues.Length];
        for (var i = 0; i < labelValues.Length; i++)
        {
            tags[i] = new(metric.Labels[i], labelValues[i]);
        }

        if (!_batch.TryGetValue(metric, out var list))
        {
            list = [];
            _batch[metric] = list;
        }

        list.Add(new Measurement<double>(value, tags));
    }
}
