using BenchDaemon.Workloads.Studies;

namespace BenchDaemon.Workloads.Tests.Studies;

public sealed class StudyMetricsTests
{
    [Fact]
    public void FrictionMetrics_KnownThroughputs_MatchTheDefinitions()
    {
        // T(1) = 100/s, T(8) = 400/s: batching quadruples throughput, half of perfect scaling.
        Assert.Equal(4.0, StudyMetrics.RelativeThroughputRate(400, 100));
        Assert.Equal(0.5, StudyMetrics.AbsoluteScalingEfficiency(400, 100, 8));
        // A baseline that only doubles (ASE 0.25) makes the configuration twice as resilient.
        var baselineAse = StudyMetrics.AbsoluteScalingEfficiency(50, 25, 8);
        Assert.Equal(0.25, baselineAse);
        Assert.Equal(2.0, StudyMetrics.BatchScalingResilience(0.5, baselineAse));
        // Batching that loses throughput: RTR below 1.
        Assert.Equal(0.8, StudyMetrics.RelativeThroughputRate(80, 100));
    }

    [Fact]
    public void Metrics_MissingOrZeroInputs_AreAbsentNotZero()
    {
        Assert.Null(StudyMetrics.RelativeThroughputRate(null, 100));
        Assert.Null(StudyMetrics.AbsoluteScalingEfficiency(400, 0, 8));
        Assert.Null(StudyMetrics.BatchScalingResilience(0.5, null));
        Assert.Null(StudyMetrics.Speedup(double.NaN, 1));
        Assert.Null(StudyMetrics.SamplesPerJoule(null));
        Assert.Null(StudyMetrics.Power(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StudyMetrics.AbsoluteScalingEfficiency(1, 1, 0));
    }

    [Fact]
    public void Speedups_QuantizationStudyTables_GiveTheDerivedRatiosForBothBaselines()
    {
        // Seed 004, Table 6, CIFAR-10 VGG16 at batch 8: Base 39.3 ms, TRT FP32 4.7 ms, INT8 1.2 ms.
        Assert.Equal(32.75, StudyMetrics.LatencySpeedup(1.2, 39.3)!.Value, 2);
        Assert.Equal(3.92, StudyMetrics.LatencySpeedup(1.2, 4.7)!.Value, 2);
        // Table 8 at batch 64: INT8 35,960 img/s over TRT FP32 4,491 img/s (improvement factor, Eq. 20).
        Assert.Equal(8.007, StudyMetrics.Speedup(35_960, 4_491)!.Value, 3);
    }

    [Fact]
    public void Consistency_Seed000TensorRtRow_RevealsBatchEight()
    {
        // 432.56 inf/s at 18.50 ms per call: consistent with batch 8, eight times off for batch 1.
        Assert.Equal(1.000, StudyMetrics.ThroughputLatencyConsistency(432.56, 0.01850, 8)!.Value, 3);
        Assert.Equal(8.002, StudyMetrics.ThroughputLatencyConsistency(432.56, 0.01850, 1)!.Value, 3);
    }

    [Fact]
    public void Energy_JoulesPerSampleAndPower()
    {
        Assert.Equal(4.0, StudyMetrics.SamplesPerJoule(0.25));
        Assert.Equal(50.0, StudyMetrics.Power(100, 2));
    }

    [Fact]
    public void Shares_StageTimes_SumToOneAndNameTheBottleneck()
    {
        var shares = StudyMetrics.Shares(new Dictionary<string, double> { ["decode"] = 3, ["resize"] = 1, ["inference"] = 4 });

        Assert.Equal(0.375, shares["decode"]);
        Assert.Equal(0.125, shares["resize"]);
        Assert.Equal(0.5, shares["inference"]);
        Assert.Equal(1.0, shares.Values.Sum(), 12);
        Assert.Equal("decode", StudyMetrics.Bottleneck([("decode", 300), ("resize", 900), ("inference", 400)]));
        Assert.Null(StudyMetrics.Bottleneck([]));
        Assert.Equal(0.25, StudyMetrics.SerialThroughput([1, 3])!.Value);
        Assert.Throws<ArgumentException>(() => StudyMetrics.Shares(new Dictionary<string, double> { ["x"] = -1 }));
    }

    [Fact]
    public void DepthMetrics_LineAndRetention()
    {
        // Speed-up 1.5, 2.0, 2.5, 3.0 over depths 1-4: slope 0.5, retention 3.0 / 1.5 = 2.
        (int Depth, double Speedup)[] points = [(1, 1.5), (2, 2.0), (3, 2.5), (4, 3.0)];

        Assert.Equal(0.5, StudyMetrics.LeastSquaresSlope([.. points.Select(p => ((double)p.Depth, p.Speedup))])!.Value, 12);
        Assert.Equal(2.0, StudyMetrics.Retention(points));
        // Noisy points: the least-squares slope, not the end-point slope.
        Assert.Equal(0.4, StudyMetrics.LeastSquaresSlope([(1, 1), (2, 2), (3, 1.8)])!.Value, 12);
        Assert.Null(StudyMetrics.LeastSquaresSlope([(1, 1)]));
        Assert.Null(StudyMetrics.Retention([(2, 1.0)]));
    }
}
