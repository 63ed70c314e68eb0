using BenchDaemon.Probes.Linux;

namespace BenchDaemon.Probes.Tests.Linux;

public class ProcStatParserTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void Parse_CapturedFile_ConvertsTicksToSeconds()
    {
        // cpu  3928 0 2228 65033 889 0 41 212 0 0
        var stat = ProcStatParser.Parse(Fixture.Read("proc-captured", "stat"));

        Assert.Equal(39.28, stat.Total.User, Tolerance);
        Assert.Equal(0, stat.Total.Nice, Tolerance);
        Assert.Equal(22.28, stat.Total.System, Tolerance);
        Assert.Equal(650.33, stat.Total.Idle, Tolerance);
        Assert.Equal(8.89, stat.Total.IoWait, Tolerance);
        Assert.Equal(0, stat.Total.Irq, Tolerance);
        Assert.Equal(0.41, stat.Total.SoftIrq, Tolerance);
        Assert.Equal(2.12, stat.Total.Steal, Tolerance);
    }

    [Fact]
    public void Parse_CapturedFile_ReadsEachCpu()
    {
        // cpu0 1810 0 1012 33217 34 0 10 108 0 0
        // cpu1 2117 0 1215 31816 855 0 30 104 0 0
        var stat = ProcStatParser.Parse(Fixture.Read("proc-captured", "stat"));

        Assert.Equal([0, 1], stat.Cores.Select(core => core.Cpu));
        Assert.Equal(18.10, stat.Cores[0].Times.User, Tolerance);
        Assert.Equal(332.17, stat.Cores[0].Times.Idle, Tolerance);
        Assert.Equal(21.17, stat.Cores[1].Times.User, Tolerance);
        Assert.Equal(8.55, stat.Cores[1].Times.IoWait, Tolerance);
        Assert.Equal(1.04, stat.Cores[1].Times.Steal, Tolerance);
    }

    [Fact]
    public void Parse_OfflineCpu_KeepsRealCpuNumbersWithGap()
    {
        var stat = ProcStatParser.Parse(Fixture.Read("odd", "stat-64cpu-offline"));

        Assert.Equal(63, stat.Cores.Count);
        Assert.Equal(Enumerable.Range(0, 64).Where(cpu => cpu != 5), stat.Cores.Select(core => core.Cpu));
        // cpu63 1063 63 563 90630 83 0 66 1 0 0
        var last = stat.Cores[^1].Times;
        Assert.Equal(10.63, last.User, Tolerance);
        Assert.Equal(906.30, last.Idle, Tolerance);
        Assert.Equal(0.01, last.Steal, Tolerance);
        // cpu  65011 2011 33511 5690110 3271 0 2200 31 0 0
        Assert.Equal(650.11, stat.Total.User, Tolerance);
        Assert.Equal(56901.10, stat.Total.Idle, Tolerance);
    }

    [Fact]
    public void Parse_OldKernelWithFourFields_TakesMissingFieldsAsZero()
    {
        // cpu  1234 56 789 100000
        var stat = ProcStatParser.Parse(Fixture.Read("odd", "stat-4-fields"));

        Assert.Equal(new CpuTimes(12.34, 0.56, 7.89, 1000, 0, 0, 0, 0), stat.Total);
        Assert.Equal(2, stat.Cores.Count);
        Assert.Equal(6.34, stat.Cores[1].Times.User, Tolerance);
    }

    [Fact]
    public void Parse_OtherTickRate_DividesByIt()
    {
        var stat = ProcStatParser.Parse("cpu  1000 0 250 4000 0 0 0 0 0 0\n", ticksPerSecond: 250);

        Assert.Equal(4, stat.Total.User, Tolerance);
        Assert.Equal(1, stat.Total.System, Tolerance);
        Assert.Equal(16, stat.Total.Idle, Tolerance);
        Assert.Empty(stat.Cores);
    }

    [Fact]
    public void Parse_GuestTime_IsNotAddedToTotal()
    {
        // guest 300 and guest_nice 40 are already inside user and nice.
        var stat = ProcStatParser.Parse("cpu  1000 100 200 700 0 0 0 0 300 40\n");

        Assert.Equal(20, stat.Total.Total, Tolerance);
        Assert.Equal(13, stat.Total.Busy, Tolerance);
    }

    [Fact]
    public void Parse_NoAllCpuLine_ThrowsFormatException()
    {
        var ex = Assert.Throws<FormatException>(() => ProcStatParser.Parse("cpu0 1 2 3 4\nintr 5\nctxt 6\n"));

        Assert.Contains("'cpu '", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyText_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ProcStatParser.Parse(""));
    }

    [Theory]
    [InlineData("cpu  1 2 x 4 5 6 7 8 9 10\n", "system", "'x'")]
    [InlineData("cpu  1 2 3 4\ncpu0 1 2 3 4 5 -6\n", "irq", "'-6'")]
    [InlineData("cpu  1 2 3 4 5 6 7 8 9 1.5\n", "guest_nice", "'1.5'")]
    [InlineData("cpu  1 2 3 4 5 6 7 99999999999999999999\n", "steal", "99999999999999999999")]
    public void Parse_MalformedNumber_ThrowsFormatExceptionNamingField(string text, string field, string token)
    {
        var ex = Assert.Throws<FormatException>(() => ProcStatParser.Parse(text));

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        Assert.Contains(token, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cpu  1 2 3\n")]
    [InlineData("cpu  1 2 3 4\ncpu0\n")]
    public void Parse_FewerThanFourFields_ThrowsFormatException(string text)
    {
        var ex = Assert.Throws<FormatException>(() => ProcStatParser.Parse(text));

        Assert.Contains("user nice system idle", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-100)]
    [InlineData(double.NaN)]
    public void Parse_NonPositiveTickRate_ThrowsArgumentOutOfRange(double ticksPerSecond)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcStatParser.Parse("cpu  1 2 3 4\n", ticksPerSecond));
    }

    [Fact]
    public void Parse_SixtyFourCpus_AllocatesLittleBeyondTheResult()
    {
        // It runs every second: the only allocations should be the result objects
        // (63 cores x (CpuTimes + CpuCoreTimes) is about 7.5 KB), not strings per line or field.
        string text = Fixture.Read("odd", "stat-64cpu-offline");
        ProcStatParser.Parse(text);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ProcStatParser.Parse(text);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, 1, 10_000);
    }
}
