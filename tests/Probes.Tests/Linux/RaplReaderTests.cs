using BenchDaemon.Probes.Linux;

namespace BenchDaemon.Probes.Tests.Linux;

public class RaplReaderTests
{
    private const ulong PackageRange = 262143328850;
    private const ulong DramRange = 65712999613;

    [Fact]
    public void Read_TwoPackagesWithDram_LabelsSubzonesByPackage()
    {
        var reader = new RaplReader(Fixture.PathOf("sys-two-packages"));

        var result = reader.Read();

        Assert.Equal(
            [
                new RaplReading("package-0", 123456789, PackageRange),
                new RaplReading("dram-0", 23456789, DramRange),
                new RaplReading("package-1", 987654321, PackageRange),
                new RaplReading("dram-1", 34567890, DramRange),
            ],
            result.Readings);
        Assert.Empty(result.Failures);
    }

    [Fact]
    public void Read_MmioDuplicateAndControlTypeDirectory_AreSkipped()
    {
        var reader = new RaplReader(Fixture.PathOf("sys-two-packages"));

        var result = reader.Read();

        // intel-rapl-mmio:0 is also named package-0 but reads 123400000.
        Assert.DoesNotContain(result.Readings, reading => reading.EnergyMicrojoules == 123400000);
        Assert.Equal(["package-0", "dram-0", "package-1", "dram-1"], reader.Domains);
    }

    [Fact]
    public void Read_NoPowercapDirectory_ReturnsNothing()
    {
        using var sys = new TempDirectory();
        var reader = new RaplReader(sys.Path);

        var result = reader.Read();

        Assert.Empty(result.Readings);
        Assert.Empty(result.Failures);
        Assert.Empty(reader.Domains);
        Assert.Equal(sys.PathOf("class", "powercap"), reader.PowercapPath);
    }

    [Fact]
    public void Read_SysfsLayoutWithSymbolicLinks_FindsZonesAndPsys()
    {
        // As in real sysfs: class/powercap holds links into devices/virtual/powercap, and subzones
        // are also nested inside their package's directory.
        using var sys = new TempDirectory();
        string intelRapl = Path.Combine("devices", "virtual", "powercap", "intel-rapl");
        WriteZone(sys, Path.Combine(intelRapl, "intel-rapl:0"), "package-0", 1000, PackageRange);
        WriteZone(sys, Path.Combine(intelRapl, "intel-rapl:0", "intel-rapl:0:0"), "core", 2000, PackageRange);
        WriteZone(sys, Path.Combine(intelRapl, "intel-rapl:0", "intel-rapl:0:1"), "uncore", 3000, PackageRange);
        WriteZone(sys, Path.Combine(intelRapl, "intel-rapl:1"), "psys", 4000, PackageRange);
        string powercap = sys.PathOf("class", "powercap");
        Directory.CreateDirectory(powercap);
        Directory.CreateSymbolicLink(Path.Combine(powercap, "intel-rapl"), Path.Combine("..", "..", intelRapl));
        foreach (string zone in new[] { "intel-rapl:0", "intel-rapl:1", Path.Combine("intel-rapl:0", "intel-rapl:0:0"), Path.Combine("intel-rapl:0", "intel-rapl:0:1") })
        {
            Directory.CreateSymbolicLink(Path.Combine(powercap, Path.GetFileName(zone)), Path.Combine("..", "..", intelRapl, zone));
        }

        var result = new RaplReader(sys.Path).Read();

        Assert.Equal(
            [("package-0", 1000UL), ("core-0", 2000UL), ("uncore-0", 3000UL), ("psys", 4000UL)],
            result.Readings.Select(reading => (reading.Domain, reading.EnergyMicrojoules)));
    }

    [Fact]
    public void Read_AmdRaplNames_AreAccepted()
    {
        using var sys = new TempDirectory();
        WriteZone(sys, Path.Combine("class", "powercap", "amd-rapl:0"), "package-0", 11, 0);
        WriteZone(sys, Path.Combine("class", "powercap", "amd-rapl:0:0"), "core", 22, 0);

        var result = new RaplReader(sys.Path).Read();

        Assert.Equal(["package-0", "core-0"], result.Readings.Select(reading => reading.Domain));
    }

    [Fact]
    public void Read_TenOrMorePackages_OrdersNumerically()
    {
        using var sys = new TempDirectory();
        foreach (int package in new[] { 10, 2, 1 })
        {
            WriteZone(sys, Path.Combine("class", "powercap", $"intel-rapl:{package}"), $"package-{package}", 1, PackageRange);
        }

        var reader = new RaplReader(sys.Path);

        Assert.Equal(["package-1", "package-2", "package-10"], reader.Domains);
    }

    [Fact]
    public void Read_ZoneWithoutNameFile_UsesDirectoryName()
    {
        using var sys = new TempDirectory();
        string zone = Path.Combine("class", "powercap", "intel-rapl:0");
        sys.File(Path.Combine(zone, "energy_uj"), "42\n");

        var reading = Assert.Single(new RaplReader(sys.Path).Read().Readings);

        Assert.Equal(new RaplReading("intel-rapl:0", 42, 0), reading);
    }

    [Fact]
    public void Read_AfterFirstScan_ReadsNewEnergyButNotNewZones()
    {
        using var sys = TempDirectory.CopyOf(Fixture.PathOf("sys-two-packages"));
        var reader = new RaplReader(sys.Path);
        reader.Read();
        sys.File(Path.Combine("class", "powercap", "intel-rapl:0", "energy_uj"), "200000000\n");
        WriteZone(sys, Path.Combine("class", "powercap", "intel-rapl:2"), "package-2", 5, PackageRange);

        var result = reader.Read();

        Assert.Equal(200000000UL, result.Readings[0].EnergyMicrojoules);
        Assert.DoesNotContain(result.Readings, reading => reading.Domain == "package-2");
    }

    [Fact]
    public void Read_EnergyFileNotReadable_ReportsAccessDeniedAndReadsTheRest()
    {
        using var sys = TempDirectory.CopyOf(Fixture.PathOf("sys-two-packages"));
        var reader = new RaplReader(sys.Path);
        reader.Read();
        // Tests run as root in CI, where a 0400 file stays readable; .NET reports opening a directory
        // for reading as UnauthorizedAccessException, the same exception as EACCES on a root-only
        // energy_uj (CVE-2020-8694).
        string energy = sys.PathOf("class", "powercap", "intel-rapl:1", "energy_uj");
        File.Delete(energy);
        Directory.CreateDirectory(energy);

        var result = reader.Read();

        var failure = Assert.Single(result.Failures);
        Assert.Equal(("package-1", energy, RaplReadFailureKind.AccessDenied), (failure.Domain, failure.Path, failure.Kind));
        Assert.Equal(["package-0", "dram-0", "dram-1"], result.Readings.Select(reading => reading.Domain));
    }

    [Fact]
    public void Read_EnergyFileGone_ReportsIOError()
    {
        using var sys = TempDirectory.CopyOf(Fixture.PathOf("sys-two-packages"));
        var reader = new RaplReader(sys.Path);
        reader.Read();
        File.Delete(sys.PathOf("class", "powercap", "intel-rapl:0:0", "energy_uj"));

        var failure = Assert.Single(reader.Read().Failures);

        Assert.Equal(("dram-0", RaplReadFailureKind.IOError), (failure.Domain, failure.Kind));
    }

    [Fact]
    public void Read_EnergyFileNotANumber_ReportsMalformed()
    {
        using var sys = TempDirectory.CopyOf(Fixture.PathOf("sys-two-packages"));
        sys.File(Path.Combine("class", "powercap", "intel-rapl:1:0", "energy_uj"), "n/a\n");

        var result = new RaplReader(sys.Path).Read();

        var failure = Assert.Single(result.Failures);
        Assert.Equal(("dram-1", RaplReadFailureKind.Malformed), (failure.Domain, failure.Kind));
        Assert.Contains("n/a", failure.Message, StringComparison.Ordinal);
        Assert.Equal(3, result.Readings.Count);
    }

    [Fact]
    public void Read_MaxRangeUnreadable_ReportsZeroRange()
    {
        using var sys = TempDirectory.CopyOf(Fixture.PathOf("sys-two-packages"));
        File.Delete(sys.PathOf("class", "powercap", "intel-rapl:1", "max_energy_range_uj"));

        var result = new RaplReader(sys.Path).Read();

        Assert.Equal(new RaplReading("package-1", 987654321, 0), result.Readings[2]);
    }

    private static void WriteZone(TempDirectory sys, string zone, string name, ulong energy, ulong range)
    {
        sys.File(Path.Combine(zone, "name"), name + "\n");
        sys.File(Path.Combine(zone, "energy_uj"), $"{energy}\n");
        sys.File(Path.Combine(zone, "max_energy_range_uj"), $"{range}\n");
    }
}
