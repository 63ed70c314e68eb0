using BenchDaemon.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Tests.Telemetry;

public sealed class OtlpMetricSinkTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeMetricSource _source = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Observe_CounterWithLabels_PublishesBaseNameWithUnitAndTags()
    {
        _source.Series.Add((TelemetryCatalogue.HostCpuSeconds, 42, ["system"]));
        var meterFactory = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var sink = new OtlpMetricSink(meterFactory, [_source], _time);
        using var collector = new MetricCollector<double>(meterFactory, OtlpMetricSink.MeterName, "benchdaemon_host_cpu");

        collector.RecordObservableInstruments();

        var measurement = Assert.Single(collector.GetMeasurementSnapshot());
        Assert.Equal(42, measurement.Value);
        Assert.Equal("system", measurement.Tags["mode"]);
        Assert.Equal("s", collector.Instrument!.Unit);
    }

    [Fact]
    public void Observe_ManyInstrumentsInOneCycle_CollectsSourcesOnce()
    {
        _source.Series.Add((TelemetryCatalogue.HostMemoryTotal, 1, []));
        _source.Series.Add((TelemetryCatalogue.HostLoad1, 0.5, []));
        var meterFactory = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var sink = new OtlpMetricSink(meterFactory, [_source], _time);

        sink.Observe(TelemetryCatalogue.HostMemoryTotal);
        sink.Observe(TelemetryCatalogue.HostLoad1);
        Assert.Equal(1, _source.Collections);

        _time.Advance(TimeSpan.FromSeconds(10));
        var load = Assert.Single(sink.Observe(TelemetryCatalogue.HostLoad1));

        Assert.Equal(2, _source.Collections);
        Assert.Equal(0.5, load.Value);
    }
}
