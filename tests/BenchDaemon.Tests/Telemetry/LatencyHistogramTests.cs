using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BenchDaemon.Configuration;
using BenchDaemon.Telemetry;
using Microsoft.Extensions.Options;
using Prometheus;

namespace BenchDaemon.Tests.Telemetry;

/// <summary>The latency histogram's resolution (Metrics:LatencyBucketsPerDecade) and where samples land.</summary>
public sealed partial class LatencyHistogramTests
{
    private static readonly string[] s_labels = ["c", "m", "CPU", "FP32", "1"];

    [Fact]
    public void DefaultBuckets_ThreePerDecadeFrom100MicrosecondsTo60Seconds_TwoSignificantFigures()
    {
        double[] decade = [1, 2.2, 4.6];
        var expected = Enumerable.Range(-4, 6).SelectMany(e => decade.Select(m => double.Parse($"{m}e{e}", CultureInfo.InvariantCulture))).ToList();

        Assert.Equal(expected, TelemetryCatalogue.DefaultLatencyBuckets);
        Assert.Equal(18, TelemetryCatalogue.DefaultLatencyBuckets.Count);
        Assert.Equal(46, TelemetryCatalogue.DefaultLatencyBuckets[^1]);
    }

    [Theory]
    [InlineData(24, 0.001, 0.01, 25)]
    [InlineData(12, 0.0001, 60, 70)]
    [InlineData(1, 0.0001, 60, 6)]
    [InlineData(3, 0.0005, 0.02, 4)]
    public void Buckets_OnOneGrid_StrictlyIncreasingWithinTheRange(int perDecade, double min, double max, int count)
    {
        var bounds = TelemetryCatalogue.LatencyBuckets(perDecade, TimeSpan.FromSeconds(min), TimeSpan.FromSeconds(max));

        Assert.Equal(count, bounds.Count);
        Assert.All(bounds, b => Assert.InRange(b, min * 0.999, max * 1.001));
        Assert.All(bounds.Zip(bounds.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{pair.First} then {pair.Second}"));
        // Neighbours stay within rounding of 10^(1/perDecade) apart.
        var step = Math.Pow(10, 1.0 / perDecade);
        Assert.All(bounds.Zip(bounds.Skip(1)), pair => Assert.InRange(pair.Second / pair.First, step * 0.9, step * 1.12));
    }

    [Fact]
    public void Buckets_TwoRangesOfOneResolution_ShareEveryBoundTheyBothCover()
    {
        // Two nodes configured with different ranges: their histograms still add up where they overlap.
        var narrow = TelemetryCatalogue.LatencyBuckets(6, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        var wide = TelemetryCatalogue.LatencyBuckets(6, TimeSpan.FromTicks(10), TimeSpan.FromSeconds(60));

        Assert.All(narrow, b => Assert.Contains(b, wide));
    }

    [Fact]
    public async Task Observe_DefaultResolution_KnownSamplesInTheRightBuckets()
    {
        var registry = Metrics.NewCustomRegistry();
        var recorder = new TelemetryRecorder(registry);

        // 0.95 ms and 1 ms (a bound is inclusive) ≤ 1 ms; 1.1 ms ≤ 2.2 ms; 4.7 ms ≤ 10 ms; 50 s only in +Inf.
        recorder.Observe(TelemetryCatalogue.CanaryLatency, [0.00095, 0.001, 0.0011, 0.0047, 50], 2, s_labels);

        var text = await ScrapeAsync(registry);
        Assert.Equal(0, Bucket(text, "0.00046"));
        Assert.Equal(4, Bucket(text, "0.001"));
        Assert.Equal(6, Bucket(text, "0.0022"));
        Assert.Equal(6, Bucket(text, "0.0046"));
        Assert.Equal(8, Bucket(text, "0.01"));
        Assert.Equal(8, Bucket(text, "46"));
        Assert.Equal(10, Bucket(text, "+Inf"));
        Assert.Equal(18 + 1, BucketLine().Count(text));
    }

    [Fact]
    public async Task Observe_ConfiguredResolution_ExportsThoseBounds()
    {
        var registry = Metrics.NewCustomRegistry();
        var options = Options.Create(new MetricsOptions { LatencyBucketsPerDecade = 24, LatencyBucketMin = TimeSpan.FromMilliseconds(1), LatencyBucketMax = TimeSpan.FromMilliseconds(10) });
        var recorder = new TelemetryRecorder(registry, metrics: options);

        recorder.Observe(TelemetryCatalogue.CanaryLatency, [0.00105, 0.00115], 1, s_labels);

        var text = await ScrapeAsync(registry);
        Assert.Equal(25 + 1, BucketLine().Count(text));
        Assert.Equal(1, Bucket(text, "0.0011"));
        Assert.Equal(2, Bucket(text, "0.0012"));
        // Other histograms keep their own bounds.
        Assert.Equal(TelemetryCatalogue.CanaryStartDelay.Buckets, recorder.Buckets(TelemetryCatalogue.CanaryStartDelay));
    }

    [Fact]
    public async Task Remove_ACanary_ItsHistogramSeriesLeaveOthersStay()
    {
        var registry = Metrics.NewCustomRegistry();
        var recorder = new TelemetryRecorder(registry);
        recorder.Observe(TelemetryCatalogue.CanaryLatency, [0.002], 1, "gone", "m", "CPU", "FP32", "1");
        recorder.Observe(TelemetryCatalogue.CanaryLatency, [0.002], 1, "gone", "m", "CPU", "FP32", "2");
        recorder.Observe(TelemetryCatalogue.CanaryLatency, [0.002], 1, "kept", "m", "CPU", "FP32", "1");

        recorder.Remove(TelemetryCatalogue.CanaryLatency, labels => labels[0] == "gone");

        var text = await ScrapeAsync(registry);
        Assert.DoesNotContain("canary=\"gone\"", text, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_canary_latency_seconds_count{canary=\"kept\",model=\"m\",provider=\"CPU\",precision=\"FP32\",batch=\"1\"} 1", text, StringComparison.Ordinal);
    }

    private static double Bucket(string text, string le)
    {
        var match = Regex.Match(text, $"(?m)^benchdaemon_canary_latency_seconds_bucket\\{{[^}}]*le=\"{Regex.Escape(le)}\"\\}} (?<v>\\S+)$");
        Assert.True(match.Success, $"no bucket le={le} in:\n{text}");
        return double.Parse(match.Groups["v"].Value, CultureInfo.InvariantCulture);
    }

    private static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [GeneratedRegex("(?m)^benchdaemon_canary_latency_seconds_bucket\\{")]
    private static partial Regex BucketLine();
}
