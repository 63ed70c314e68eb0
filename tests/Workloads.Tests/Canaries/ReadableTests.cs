using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class ReadableTests
{
    [Theory]
    [InlineData(0.0489095335, "48.9 ms")]
    [InlineData(0.0577, "57.7 ms")]
    [InlineData(3.2913e-05, "32.9 µs")]
    [InlineData(4.2e-7, "420 ns")]
    [InlineData(1.5, "1.50 s")]
    [InlineData(123.4, "123 s")]
    [InlineData(0.0099996, "10.0 ms")]
    [InlineData(0.0, "0 s")]
    [InlineData(double.NaN, "n/a")]
    [InlineData(-1.0, "n/a")]
    public void Duration_ThreeFiguresAndAUnit(double seconds, string expected) => Assert.Equal(expected, Readable.Duration(seconds));

    [Fact]
    public void Duration_NotMeasured_NotAvailable() => Assert.Equal("n/a", Readable.Duration(null));

    [Theory]
    [InlineData(20.3, "20.3 samples/s")]
    [InlineData(9756.1, "9756 samples/s")]
    [InlineData(0.52, "0.520 samples/s")]
    [InlineData(double.PositiveInfinity, "n/a samples/s")]
    public void PerSecond_ThreeFigures(double value, string expected) => Assert.Equal(expected, Readable.PerSecond(value, "samples"));

    [Theory]
    [InlineData(0.0523, "52.3 mJ/sample")]
    [InlineData(2.5, "2.50 J/sample")]
    [InlineData(double.NaN, "n/a")]
    public void JoulesPerSample_JOrMilliJoules(double joules, string expected) => Assert.Equal(expected, Readable.JoulesPerSample(joules));
}
