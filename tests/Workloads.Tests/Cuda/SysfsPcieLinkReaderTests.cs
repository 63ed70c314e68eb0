using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Tests.Cuda;

public sealed class SysfsPcieLinkReaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("benchdaemon-sysfs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Read_DowntrainedLink_CurrentBelowMaxAndDegraded()
    {
        Device("0000:3b:00.0", "8.0 GT/s PCIe\n", "32.0 GT/s PCIe\n", "8\n", "16\n");

        var link = new SysfsPcieLinkReader(_root).Read("0000:3B:00.0");

        Assert.Equal(new PcieLink(3, 5, 8, 16), link);
        Assert.True(link!.Degraded);
    }

    [Fact]
    public void Read_FullLink_NotDegraded_AndEightDigitDomainAccepted()
    {
        Device("0000:17:00.0", "16.0 GT/s PCIe", "16.0 GT/s PCIe", "16", "16");

        var link = new SysfsPcieLinkReader(_root).Read("00000000:17:00.0");

        Assert.Equal(new PcieLink(4, 4, 16, 16), link);
        Assert.False(link!.Degraded);
    }

    [Fact]
    public void Read_MissingOrUnreadableAttributes_NullFields()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, "0000:01:00.0")).FullName;
        File.WriteAllText(Path.Combine(directory, "max_link_speed"), "Unknown");
        File.WriteAllText(Path.Combine(directory, "max_link_width"), "16");

        var link = new SysfsPcieLinkReader(_root).Read("0000:01:00.0");

        Assert.Equal(new PcieLink(null, null, null, 16), link);
        Assert.False(link!.Degraded);
    }

    [Fact]
    public void Read_UnknownDevice_Null()
    {
        Assert.Null(new SysfsPcieLinkReader(_root).Read("0000:99:00.0"));
        Assert.Null(new SysfsPcieLinkReader(_root).Read("../../etc"));
    }

    [Theory]
    [InlineData("2.5 GT/s PCIe", 1)]
    [InlineData("5.0 GT/s PCIe", 2)]
    [InlineData("8.0 GT/s PCIe", 3)]
    [InlineData("16.0 GT/s PCIe", 4)]
    [InlineData("32.0 GT/s PCIe", 5)]
    [InlineData("64.0 GT/s PCIe", 6)]
    [InlineData("2.5 GT/s", 1)]
    [InlineData("Unknown", null)]
    [InlineData("12.0 GT/s PCIe", null)]
    [InlineData("", null)]
    public void Generation_FromSysfsSpeed(string speed, int? generation)
    {
        Assert.Equal(generation, SysfsPcieLinkReader.Generation(speed));
    }

    private void Device(string id, string currentSpeed, string maxSpeed, string currentWidth, string maxWidth)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, id)).FullName;
        File.WriteAllText(Path.Combine(directory, "current_link_speed"), currentSpeed);
        File.WriteAllText(Path.Combine(directory, "max_link_speed"), maxSpeed);
        File.WriteAllText(Path.Combine(directory, "current_link_width"), currentWidth);
        File.WriteAllText(Path.Combine(directory, "max_link_width"), maxWidth);
    }
}
