using BenchDaemon.Probes.Linux;

namespace BenchDaemon.Probes.Tests.Linux;

public class PressureParserTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void Parse_CapturedCpu_ConvertsPercentToRatioAndMicrosecondsToSeconds()
    {
        // some avg10=0.00 avg60=0.41 avg300=1.32 total=9477513
        // full avg10=0.00 avg60=0.00 avg300=0.00 total=0
        var stats = PressureParser.Parse("cpu", Fixture.Read("proc-captured", "pressure", "cpu"));

        Assert.Equal(2, stats.Count);
        var some = stats[0];
        Assert.Equal(("cpu", "some"), (some.Resource, some.Kind));
        Assert.Equal(0, some.Avg10, Tolerance);
        Assert.Equal(0.0041, some.Avg60, Tolerance);
        Assert.Equal(0.0132, some.Avg300, Tolerance);
        Assert.Equal(9.477513, some.TotalSeconds, Tolerance);
        Assert.Equal(new PressureStat("cpu", "full", 0, 0, 0, 0), stats[1]);
    }

    [Fact]
    public void Parse_CapturedIo_ReadsSomeAndFull()
    {
        // some avg10=0.00 avg60=0.13 avg300=0.89 total=7983513
        // full avg10=0.00 avg60=0.12 avg300=0.85 total=7667206
        var stats = PressureParser.Parse("io", Fixture.Read("proc-captured", "pressure", "io"));

        Assert.Equal(["some", "full"], stats.Select(stat => stat.Kind));
        Assert.All(stats, stat => Assert.Equal("io", stat.Resource));
        Assert.Equal(0.0089, stats[0].Avg300, Tolerance);
        Assert.Equal(7.983513, stats[0].TotalSeconds, Tolerance);
        Assert.Equal(0.0012, stats[1].Avg60, Tolerance);
        Assert.Equal(7.667206, stats[1].TotalSeconds, Tolerance);
    }

    [Fact]
    public void Parse_CapturedMemory_ReadsZeros()
    {
        var stats = PressureParser.Parse("memory", Fixture.Read("proc-captured", "pressure", "memory"));

        Assert.Equal(
            [new PressureStat("memory", "some", 0, 0, 0, 0), new PressureStat("memory", "full", 0, 0, 0, 0)],
            stats);
    }

    [Fact]
    public void Parse_CpuWithoutFullLine_ReturnsSomeOnly()
    {
        // some avg10=2.04 avg60=0.75 avg300=0.40 total=157656722 (kernels 4.20 to 5.12)
        var stats = PressureParser.Parse("cpu", Fixture.Read("odd", "pressure-cpu-no-full"));

        var some = Assert.Single(stats);
        Assert.Equal("some", some.Kind);
        Assert.Equal(0.0204, some.Avg10, Tolerance);
        Assert.Equal(0.0075, some.Avg60, Tolerance);
        Assert.Equal(0.004, some.Avg300, Tolerance);
        Assert.Equal(157.656722, some.TotalSeconds, Tolerance);
    }

    [Fact]
    public void Parse_FullStall_GivesRatioOne()
    {
        var stats = PressureParser.Parse("io", "some avg10=100.00 avg60=50.00 avg300=25.00 total=1000000\n");

        Assert.Equal(new PressureStat("io", "some", 1, 0.5, 0.25, 1), Assert.Single(stats));
    }

    [Fact]
    public void Parse_NoSomeLine_ThrowsFormatException()
    {
        var ex = Assert.Throws<FormatException>(
            () => PressureParser.Parse("memory", "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"));

        Assert.Contains("'some'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("memory", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00\n", "total")]
    [InlineData("some avg60=0.00 avg300=0.00 total=5\n", "avg10")]
    [InlineData("some avg10=x avg60=0.00 avg300=0.00 total=5\n", "avg10")]
    [InlineData("some avg10=0.00 avg60=0.00 avg300=-1 total=5\n", "avg300")]
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00 total=1.5\n", "total")]
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00 total=1\nfull avg10=0.00 avg60=? avg300=0.00 total=1\n", "avg60")]
    public void Parse_MissingOrMalformedValue_ThrowsFormatExceptionNamingIt(string text, string key)
    {
        var ex = Assert.Throws<FormatException>(() => PressureParser.Parse("cpu", text));

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyResource_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => PressureParser.Parse("", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"));
    }
}
