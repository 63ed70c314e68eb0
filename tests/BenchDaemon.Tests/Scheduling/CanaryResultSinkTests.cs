namespace BenchDaemon.Tests.Scheduling;

public sealed class CanaryResultSinkTests : IDisposable
{
    private readonly CoordinatorHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task SetSchedulePeriods_ExportsOneSeriesPerCanaryWithAPeriod()
    {
        _harness.Sink.SetSchedulePeriods([("every-minute", TimeSpan.FromSeconds(60)), ("past-cron", null)]);

        var text = await _harness.ScrapeAsync();

        Assert.Contains("benchdaemon_canary_schedule_interval_seconds{canary=\"every-minute\"} 60\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("past-cron", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetSchedulePeriods_AfterReload_DropsRemovedCanaries()
    {
        _harness.Sink.SetSchedulePeriods([("old", TimeSpan.FromSeconds(60))]);
        _harness.Sink.SetSchedulePeriods([("new", TimeSpan.FromSeconds(5))]);

        var text = await _harness.ScrapeAsync();

        Assert.Contains("benchdaemon_canary_schedule_interval_seconds{canary=\"new\"} 5\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("canary=\"old\"", text, StringComparison.Ordinal);
    }
}
