using BenchDaemon.Probes.Linux;

namespace BenchDaemon.Probes.Tests.Linux;

public class MemInfoParserTests
{
    [Fact]
    public void Parse_CapturedFile_ConvertsKiBToBytes()
    {
        var memory = MemInfoParser.Parse(Fixture.Read("proc-captured", "meminfo"));

        Assert.Equal(24684092UL * 1024, memory.TotalBytes);
        Assert.Equal(24563896UL * 1024, memory.FreeBytes);
        Assert.Equal(24467036UL * 1024, memory.AvailableBytes);
        Assert.Equal(876UL * 1024, memory.BuffersBytes);
        Assert.Equal(34872UL * 1024, memory.CachedBytes);
        Assert.Equal(0UL, memory.SwapTotalBytes);
        Assert.Equal(0UL, memory.SwapFreeBytes);
        Assert.Equal((24684092UL - 24467036UL) * 1024, memory.UsedBytes);
    }

    [Fact]
    public void Parse_NoMemAvailable_EstimatesFreePlusBuffersPlusCached()
    {
        var memory = MemInfoParser.Parse(Fixture.Read("odd", "meminfo-no-memavailable"));

        Assert.Equal((1234568UL + 234567UL + 3456789UL) * 1024, memory.AvailableBytes);
        Assert.Equal(8061076UL * 1024, memory.TotalBytes);
        Assert.Equal(2097148UL * 1024, memory.SwapTotalBytes);
        Assert.Equal(2000000UL * 1024, memory.SwapFreeBytes);
    }

    [Fact]
    public void Parse_OnlyRequiredFields_DefaultsOthersToZero()
    {
        var memory = MemInfoParser.Parse("MemTotal: 2048 kB\nMemFree: 1024 kB\n");

        Assert.Equal(new MemInfo(2048 * 1024, 1024 * 1024, 1024 * 1024, 0, 0, 0, 0), memory);
    }

    [Fact]
    public void Parse_NoMemTotal_ThrowsFormatExceptionNamingIt()
    {
        var ex = Assert.Throws<FormatException>(() => MemInfoParser.Parse(Fixture.Read("odd", "meminfo-no-memtotal")));

        Assert.Contains("MemTotal", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoMemFree_ThrowsFormatExceptionNamingIt()
    {
        var ex = Assert.Throws<FormatException>(() => MemInfoParser.Parse("MemTotal: 2048 kB\nMemAvailable: 1024 kB\n"));

        Assert.Contains("MemFree", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MemTotal: lots kB\nMemFree: 1 kB\n", "MemTotal")]
    [InlineData("MemTotal: 2048 kB\nMemFree: -1 kB\n", "MemFree")]
    [InlineData("MemTotal: 2048 kB\nMemFree: 1024 MB\n", "MemFree")]
    [InlineData("MemTotal: 2048 kB\nMemFree:\n", "MemFree")]
    [InlineData("MemTotal: 18014398509481984 kB\nMemFree: 1 kB\n", "MemTotal")]
    [InlineData("MemTotal: 2048 kB\nMemFree: 1 kB\nCached: 1,5 kB\n", "Cached")]
    public void Parse_MalformedField_ThrowsFormatExceptionNamingIt(string text, string field)
    {
        var ex = Assert.Throws<FormatException>(() => MemInfoParser.Parse(text));

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownAndUnitlessLines_AreIgnored()
    {
        var memory = MemInfoParser.Parse("HugePages_Total:       0\nMemTotal: 4 kB\nNewKernelThing: ??\nMemFree: 2 kB\nnot a field\n");

        Assert.Equal(4096UL, memory.TotalBytes);
        Assert.Equal(2048UL, memory.FreeBytes);
    }
}
