using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class LatencyStatisticsTests
{
    [Fact]
    public void From_OneToTen_MatchesNumpyType7Quantiles()
    {
        // numpy.percentile([1..10], q) with the default (linear, Hyndman-Fan type 7).
        var stats = LatencyStatistics.From([3, 1, 2, 10, 9, 8, 7, 6, 5, 4]);

        Assert.Equal(10, stats.Count);
        Assert.Equal(5.5, stats.Mean, 12);
        Assert.Equal(3.0276503540974917, stats.StdDev, 12);
        Assert.Equal(3.0276503540974917 / 5.5, stats.CoefficientOfVariation, 12);
        Assert.Equal(1, stats.Min);
        Assert.Equal(5.5, stats.P50, 12);
        Assert.Equal(9.1, stats.P90, 12);
        Assert.Equal(9.55, stats.P95, 12);
        Assert.Equal(9.91, stats.P99, 12);
        Assert.Equal(9.991, stats.P999, 12);
        Assert.Equal(10, stats.Max);
    }

    [Fact]
    public void From_SingleSample_HasZeroSpread()
    {
        var stats = LatencyStatistics.From([0.25]);

        Assert.Equal(0.25, stats.P99);
        Assert.Equal(0, stats.StdDev);
        Assert.Equal(0, stats.CoefficientOfVariation);
    }

    [Fact]
    public void From_NoSamples_Throws()
    {
        Assert.Throws<ArgumentException>(() => LatencyStatistics.From([]));
    }
}
