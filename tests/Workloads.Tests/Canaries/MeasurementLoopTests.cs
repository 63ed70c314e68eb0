using System.Diagnostics;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Tests.Canaries;

/// <summary>The measured window: minimums first, then on until the estimate is precise or the precision window ends.</summary>
public sealed class MeasurementLoopTests
{
    [Fact]
    public void Measure_SteadyCalls_GoOnUntilTheP99HasItsCalls()
    {
        var measure = new MeasureOptions { MinIterations = 10, MinDuration = TimeSpan.Zero, MaxDuration = TimeSpan.FromSeconds(20) };

        var samples = MeasurementLoop.Measure(() => 0.001, measure, Stopwatch.GetTimestamp(), out _, CancellationToken.None);

        // Precise in every other respect after 10 calls; the p99 needs 473 at 95 %.
        Assert.Equal(RunValidity.TailSamples(measure.TailConfidence), samples.Count);
    }

    [Fact]
    public void Measure_DriftingCalls_StopAtThePrecisionWindow()
    {
        var measure = new MeasureOptions { MinIterations = 10, MinDuration = TimeSpan.FromMilliseconds(50), MaxDuration = TimeSpan.FromMilliseconds(300) };
        var i = 0;

        var samples = MeasurementLoop.Measure(() => 0.001 * (1 + (i++ * 1e-3)), measure, Stopwatch.GetTimestamp(), out var window, CancellationToken.None);

        Assert.InRange(window, 0.3, 5);
        Assert.NotEmpty(RunValidity.Problems(samples, measure));
    }

    [Fact]
    public void Measure_PreciseAtTheMinimums_StopsThere()
    {
        var measure = new MeasureOptions { MinIterations = 1000, MinDuration = TimeSpan.Zero, MaxDuration = TimeSpan.FromSeconds(20) };

        var samples = MeasurementLoop.Measure(() => 0.001, measure, Stopwatch.GetTimestamp(), out _, CancellationToken.None);

        Assert.Equal(1000, samples.Count);
    }

    [Fact]
    public void PrecisionDuration_DefaultsToFiveTimesTheMinimum()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), new MeasureOptions().PrecisionDuration);
        Assert.Equal(TimeSpan.FromSeconds(3), new MeasureOptions { MaxDuration = TimeSpan.FromSeconds(3) }.PrecisionDuration);
    }
}
