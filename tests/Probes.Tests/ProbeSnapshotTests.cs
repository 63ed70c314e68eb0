using BenchDaemon.Probes.Linux;

namespace BenchDaemon.Probes.Tests;

public sealed class ProbeSnapshotTests
{
    [Theory]
    [InlineData(0.9, 0.6, 0.3)]
    [InlineData(0.5, null, 0.5)]
    [InlineData(0.2, 0.3, 0.0)]
    public void ForeignCpuUtilization_SubtractsTheDaemonsOwnShare(double all, double? self, double expected)
    {
        var snapshot = new ProbeSnapshot(HostSample.Empty(DateTimeOffset.UnixEpoch), all, TimeSpan.Zero, 2, self);

        Assert.Equal(expected, snapshot.ForeignCpuUtilization!.Value, 12);
    }

    [Fact]
    public void SelfCpuParse_CommandWithSpacesAndParentheses_ReadsTheRightFields()
    {
        // pid (comm) state ppid ... utime=14 stime=15 ... num_threads=20 ... vsize=23 rss=24
        var fields = string.Join(' ', Enumerable.Range(3, 50).Select(i => i switch { 14 => "250", 15 => "50", 20 => "17", 23 => "1048576", 24 => "300", _ => "0" }));
        var text = $"4242 (bench daemon) (x)) {fields}";

        var stat = SelfCpu.Parse(text);

        Assert.NotNull(stat);
        Assert.Equal(3.0, stat.Value.CpuSeconds, 12);
        Assert.Equal(17, stat.Value.Threads);
        Assert.Equal(1048576, stat.Value.VirtualBytes);
        Assert.Equal(300, stat.Value.RssPages);
    }
}
