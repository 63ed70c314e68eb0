using BenchDaemon.Probes.Linux;

namespace BenchDaemon.Probes.Tests.Linux;

public class LoadAvgParserTests
{
    [Fact]
    public void Parse_CapturedFile_ReadsAveragesAndTasks()
    {
        // 0.03 0.11 0.06 1/82 2679
        var load = LoadAvgParser.Parse(Fixture.Read("proc-captured", "loadavg"));

        Assert.Equal(new LoadAverage(0.03, 0.11, 0.06, 1, 82), load);
    }

    [Fact]
    public void Parse_BusyHost_ReadsAveragesAndTasks()
    {
        var load = LoadAvgParser.Parse("12.50 7.25 3.00 17/1503 98765\n");

        Assert.Equal(new LoadAverage(12.5, 7.25, 3.0, 17, 1503), load);
    }

    [Theory]
    [InlineData("", "1-minute")]
    [InlineData("0.10 0.20", "15-minute")]
    [InlineData("0,10 0.20 0.30 1/2 3", "1-minute")]
    [InlineData("0.10 x 0.30 1/2 3", "5-minute")]
    [InlineData("0.10 0.20 0.30 12 3", "task counts")]
    [InlineData("0.10 0.20 0.30 1/ 3", "task counts")]
    [InlineData("0.10 0.20 0.30 1/x 3", "task counts")]
    public void Parse_Malformed_ThrowsFormatExceptionNamingPart(string text, string part)
    {
        var ex = Assert.Throws<FormatException>(() => LoadAvgParser.Parse(text));

        Assert.Contains(part, ex.Message, StringComparison.Ordinal);
    }
}
