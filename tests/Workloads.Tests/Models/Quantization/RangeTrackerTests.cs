using BenchDaemon.Workloads.Models.Quantization;

namespace BenchDaemon.Workloads.Tests.Models.Quantization;

public sealed class RangeTrackerTests
{
    [Fact]
    public void Range_MinMax_IsExtremesOverAllBatches()
    {
        var tracker = new RangeTracker("t", CalibrationMethod.MinMax, 99.999, batches: 2);

        tracker.Add([0.5f, -2f]);
        tracker.Add([3f, 1f]);

        Assert.Equal((-2f, 3f), tracker.Range);
    }

    [Fact]
    public void Range_PercentileWithOneOutlierPerEnd_ClipsTheOutliers()
    {
        // 2 × 200,000 values in [-1, 1] plus one outlier at each end: 99.999 drops 2 per end.
        var tracker = new RangeTracker("t", CalibrationMethod.Percentile, 99.999, batches: 2);
        var batch = Enumerable.Range(0, 200_000).Select(i => (i / 100_000f) - 1f).ToArray();

        tracker.Add(batch);
        batch[0] = -100f;
        batch[1] = 100f;
        tracker.Add(batch);

        var (min, max) = tracker.Range;
        Assert.InRange(min, -1f, -0.99f);
        Assert.InRange(max, 0.99f, 1f);
    }

    [Fact]
    public void Range_MinMaxWithOutlier_KeepsTheOutlier()
    {
        var tracker = new RangeTracker("t", CalibrationMethod.MinMax, 99.999, batches: 1);

        tracker.Add([0f, 1f, 100f]);

        Assert.Equal(100f, tracker.Range.Max);
    }

    [Fact]
    public void Add_NonFiniteValue_ThrowsNamingTheTensor()
    {
        var tracker = new RangeTracker("conv1", CalibrationMethod.MinMax, 99.999, batches: 1);

        var ex = Assert.Throws<InvalidOperationException>(() => tracker.Add([1f, float.NaN]));

        Assert.Contains("conv1", ex.Message, StringComparison.Ordinal);
    }
}
