using BenchDaemon.Probes.Nvml;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Probes.Tests.Nvml;

/// <summary>NVLink state, data and error counters through the probe's P/Invoke path against the fake NVML.</summary>
[Collection(FakeNvmlTests.Name)]
public sealed class GpuNvlinkTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<GpuProbe> _logger = new();
    private GpuProbe? _probe;

    public GpuNvlinkTests()
    {
        FakeNvmlLibrary.Reset();
    }

    public void Dispose() => _probe?.Dispose();

    private GpuProbe Create()
    {
        var options = new ProbeOptions { Gpu = new GpuProbeOptions { LibraryPath = FakeNvmlLibrary.Path } };
        _probe = new GpuProbe(Options.Create(options), _time, _logger);
        _probe.Start();
        return _probe;
    }

    [Fact]
    public void SampleSlow_GpuWithLinks_StateBytesAndSupportedErrorCountersPerLink()
    {
        FakeNvmlLibrary.SetCount(2);
        FakeNvmlLibrary.Set(0, "nvlinks", 18);
        FakeNvmlLibrary.Set(0, "nvlink_down", 1 << 5);
        FakeNvmlLibrary.Set(0, "nvlink_tx", 1000);   // KiB
        FakeNvmlLibrary.Set(0, "nvlink_rx", 3000);
        FakeNvmlLibrary.Set(0, "nvlink_replay", 2);
        FakeNvmlLibrary.Set(0, "nvlink_crc", 7);
        var probe = Create();

        probe.SampleSlow();
        var sample = probe.Sample();

        var links = sample.Gpus[0].Nvlinks!;
        Assert.Equal(Enumerable.Range(0, 18), links.Select(l => l.Link));
        Assert.False(links[5].Active);
        Assert.True(links[4].Active);
        Assert.Equal((1000 + 4) * 1024.0, links[4].TransmitBytes);
        Assert.Equal((3000 + 4) * 1024.0, links[4].ReceiveBytes);
        Assert.Equal(2 + 4, links[4].Errors["replay"]);
        Assert.Equal(7 + 4, links[4].Errors["crc_data"]);
        // Counters the links do not keep are absent, not zero.
        Assert.Equal(["crc_data", "replay"], links[4].Errors.Keys.Order(StringComparer.Ordinal));
        // A PCIe board: no NVLink, no series, no log line, no error.
        Assert.Null(sample.Gpus[1].Nvlinks);
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Message.Contains("Nvlink", StringComparison.OrdinalIgnoreCase));
        Assert.False(sample.Errors.ContainsKey("not_supported"));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void SampleSlow_ThroughputFieldsNotSupported_StateAndErrorsStayBytesOmittedLoggedOnce()
    {
        FakeNvmlLibrary.Set(0, "nvlinks", 4);
        FakeNvmlLibrary.SetStatus(0, "nvlink_fields", FakeNvmlLibrary.NotSupported);
        var probe = Create();

        probe.SampleSlow();
        probe.SampleSlow();
        var link = probe.Sample().Gpus[0].Nvlinks![0];

        Assert.True(link.Active);
        Assert.Null(link.TransmitBytes);
        Assert.Equal(0, link.Errors["replay"]);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1202 && r.Message.Contains("NvlinkThroughput", StringComparison.Ordinal));
    }
}
