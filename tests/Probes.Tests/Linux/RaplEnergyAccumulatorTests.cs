using System.Globalization;
using BenchDaemon.Probes.Linux;

namespace BenchDaemon.Probes.Tests.Linux;

public class RaplEnergyAccumulatorTests
{
    private const ulong PackageRange = 262143328850; // max_energy_range_uj of a typical Intel package
    private const double Tolerance = 1e-9;

    [Fact]
    public void Update_FirstReading_ReturnsCounterInJoules()
    {
        var accumulator = new RaplEnergyAccumulator();

        Assert.Equal(123.456789, accumulator.Update("package-0", 123456789, PackageRange), Tolerance);
    }

    [Fact]
    public void Update_CounterIncreases_AddsDelta()
    {
        var accumulator = new RaplEnergyAccumulator();
        accumulator.Update("package-0", 5_000_000, PackageRange);

        Assert.Equal(7.5, accumulator.Update("package-0", 7_500_000, PackageRange), Tolerance);
        Assert.Equal(7.5, accumulator.Update("package-0", 7_500_000, PackageRange), Tolerance);
    }

    [Fact]
    public void Update_CounterWrapsAtMaxRange_AddsRestOfRangePlusNewCount()
    {
        var accumulator = new RaplEnergyAccumulator();
        double before = accumulator.Update("package-0", 262143000000, PackageRange);

        double after = accumulator.Update("package-0", 1000000, PackageRange);

        // (262143328850 - 262143000000 + 1000000) µJ
        Assert.Equal(1.32885, after - before, Tolerance);
        Assert.Equal(262144.32885, after, Tolerance);
    }

    [Fact]
    public void Update_CounterGoesBackWithoutMaxRange_TreatsAsResetFromZero()
    {
        var accumulator = new RaplEnergyAccumulator();
        accumulator.Update("dram-0", 5_000_000, 0);

        Assert.Equal(7.0, accumulator.Update("dram-0", 2_000_000, 0), Tolerance);
        Assert.Equal(8.0, accumulator.Update("dram-0", 3_000_000, 0), Tolerance);
    }

    [Fact]
    public void Update_PreviousAboveStatedRange_TreatsAsReset()
    {
        // A range smaller than the last reading cannot be where it wrapped: count from zero instead
        // of adding a huge bogus delta.
        var accumulator = new RaplEnergyAccumulator();
        accumulator.Update("core-0", 9_000_000, 1_000_000);

        Assert.Equal(9.5, accumulator.Update("core-0", 500_000, 1_000_000), Tolerance);
    }

    [Fact]
    public void Update_WrapFixtureSequence_UnwrapsToMonotonicJoules()
    {
        var accumulator = new RaplEnergyAccumulator();
        var joules = new List<double>();
        foreach (string line in File.ReadLines(Fixture.PathOf("odd", "rapl-wrap-readings")))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            string[] fields = line.Split(' ');
            joules.Add(accumulator.Update(
                "package-0",
                ulong.Parse(fields[0], CultureInfo.InvariantCulture),
                ulong.Parse(fields[1], CultureInfo.InvariantCulture)));
        }

        Assert.Equal([262142.0, 262143.0, 262144.32885, 262145.82885], joules, new ToleranceComparer(Tolerance));
    }

    [Fact]
    public void Update_RandomCountersWithWrapsAndResets_NeverDecreases()
    {
        var random = new Random(8694);
        var accumulator = new RaplEnergyAccumulator();
        double previous = 0;
        for (int i = 0; i < 10_000; i++)
        {
            ulong max = random.Next(3) == 0 ? 0 : (ulong)random.NextInt64(1, 1_000_000);
            ulong energy = (ulong)random.NextInt64(0, 1_000_000);

            double joules = accumulator.Update("psys", energy, max);

            Assert.True(joules >= previous, $"step {i}: {joules} < {previous}");
            previous = joules;
        }

        Assert.True(previous > 1.0);
    }

    [Fact]
    public void Update_TwoDomains_AreTrackedSeparately()
    {
        var accumulator = new RaplEnergyAccumulator();
        accumulator.Update("package-0", 1_000_000, PackageRange);
        accumulator.Update("package-1", 50_000_000, PackageRange);

        Assert.Equal(3.0, accumulator.Update("package-0", 3_000_000, PackageRange), Tolerance);
        Assert.Equal(51.0, accumulator.Update("package-1", 51_000_000, PackageRange), Tolerance);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
