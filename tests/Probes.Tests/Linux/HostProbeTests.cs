using BenchDaemon.Probes.Linux;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Probes.Tests.Linux;

public class HostProbeTests
{
    private const double Tolerance = 1e-9;
    private static readonly DateTimeOffset s_start = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(s_start);
    private readonly FakeLogger<HostProbe> _logger = new();

    [Fact]
    public void Sample_FullFixtureTree_ReadsEveryPart()
    {
        var probe = CreateProbe(Fixture.PathOf("proc-captured"), Fixture.PathOf("sys-two-packages"));

        var sample = probe.Sample();

        Assert.Equal(s_start, sample.Timestamp);
        Assert.NotNull(sample.Cpu);
        Assert.Equal(39.28, sample.Cpu.Total.User, Tolerance);
        Assert.Equal(2, sample.Cpu.Cores.Count);
        Assert.NotNull(sample.Memory);
        Assert.Equal(24684092UL * 1024, sample.Memory.TotalBytes);
        Assert.Equal(new LoadAverage(0.03, 0.11, 0.06, 1, 82), sample.Load);
        Assert.Equal(
            [("cpu", "some"), ("cpu", "full"), ("memory", "some"), ("memory", "full"), ("io", "some"), ("io", "full")],
            sample.Pressure.Select(stat => (stat.Resource, stat.Kind)));
        Assert.Equal(9.477513, sample.Pressure[0].TotalSeconds, Tolerance);
        Assert.Equal(
            [new EnergyCounter("package-0", 123.456789), new EnergyCounter("dram-0", 23.456789),
             new EnergyCounter("package-1", 987.654321), new EnergyCounter("dram-1", 34.56789)],
            sample.Energy);
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), record => record.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Sample_AfterTimeAdvances_StampsTheNewTime()
    {
        var probe = CreateProbe(Fixture.PathOf("proc-captured"), Fixture.PathOf("sys-two-packages"));
        probe.Sample();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(s_start.AddSeconds(5), probe.Sample().Timestamp);
    }

    [Fact]
    public void Sample_KernelWithoutPsiAndRapl_ReturnsEmptyListsAndLogsOnceAtInformation()
    {
        var probe = CreateProbe(Fixture.PathOf("proc-no-psi"), Fixture.PathOf("proc-no-psi", "no-sys-here"));

        var samples = Enumerable.Range(0, 3).Select(_ => probe.Sample()).ToList();

        Assert.All(samples, sample =>
        {
            Assert.Empty(sample.Pressure);
            Assert.Empty(sample.Energy);
            Assert.NotNull(sample.Cpu);
            Assert.Equal(400.0, sample.Cpu.Total.User, Tolerance);
            Assert.Equal(4, sample.Cpu.Cores.Count);
            Assert.NotNull(sample.Memory);
            Assert.Equal(10485760UL * 1024, sample.Memory.AvailableBytes);
            Assert.Equal(new LoadAverage(1.5, 0.75, 0.25, 3, 456), sample.Load);
        });
        var records = _logger.Collector.GetSnapshot();
        Assert.DoesNotContain(records, record => record.Level >= LogLevel.Warning);
        var psi = Assert.Single(records, record => record.Message.Contains("Pressure stall information", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, psi.Level);
        Assert.Contains(Fixture.PathOf("proc-no-psi", "pressure"), psi.Message, StringComparison.Ordinal);
        var rapl = Assert.Single(records, record => record.Message.Contains("RAPL", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, rapl.Level);
        Assert.Contains("energy metrics are omitted", rapl.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void Sample_MalformedMemInfo_OmitsMemoryOnlyAndWarnsOnce()
    {
        using var proc = TempDirectory.CopyOf(Fixture.PathOf("proc-captured"));
        proc.File("meminfo", "MemTotal:       lots kB\nMemFree:        1024 kB\n");
        var probe = CreateProbe(proc.Path, Fixture.PathOf("sys-two-packages"));

        var samples = Enumerable.Range(0, 3).Select(_ => probe.Sample()).ToList();

        Assert.All(samples, sample =>
        {
            Assert.Null(sample.Memory);
            Assert.NotNull(sample.Cpu);
            Assert.Equal(22.28, sample.Cpu.Total.System, Tolerance);
            Assert.NotNull(sample.Load);
            Assert.Equal(6, sample.Pressure.Count);
            Assert.Equal(4, sample.Energy.Count);
        });
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), record => record.Level == LogLevel.Warning);
        Assert.Contains(proc.PathOf("meminfo"), warning.Message, StringComparison.Ordinal);
        Assert.Contains("MemTotal", warning.Message, StringComparison.Ordinal);
        // One line that says it all, without a stack trace.
        Assert.Null(warning.Exception);
        Assert.Equal([new HostProbeError("meminfo", "malformed", 3)], samples[^1].Errors);
        Assert.Equal(2, samples[1].Errors.Single().Count);
    }

    [Fact]
    public void Sample_MemInfoRepairedThenBrokenAgain_LogsRecoveryOnceAndNewFailureOnce()
    {
        using var proc = TempDirectory.CopyOf(Fixture.PathOf("proc-captured"));
        string good = File.ReadAllText(proc.PathOf("meminfo"));
        proc.File("meminfo", "garbage\n");
        var probe = CreateProbe(proc.Path, Fixture.PathOf("sys-two-packages"));
        probe.Sample();
        probe.Sample();

        proc.File("meminfo", good);
        var repaired = new[] { probe.Sample(), probe.Sample() };
        File.Delete(proc.PathOf("meminfo"));
        var broken = probe.Sample();
        probe.Sample();

        Assert.All(repaired, sample => Assert.Equal(24684092UL * 1024, sample.Memory?.TotalBytes));
        Assert.Null(broken.Memory);
        var meminfoRecords = _logger.Collector.GetSnapshot()
            .Where(record => record.Message.Contains(proc.PathOf("meminfo"), StringComparison.Ordinal))
            .Select(record => record.Level);
        Assert.Equal([LogLevel.Warning, LogLevel.Information, LogLevel.Warning], meminfoRecords);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void Sample_MissingStat_OmitsCpuAndWarnsOnce()
    {
        using var proc = TempDirectory.CopyOf(Fixture.PathOf("proc-captured"));
        File.Delete(proc.PathOf("stat"));
        var probe = CreateProbe(proc.Path, Fixture.PathOf("sys-two-packages"));

        var samples = new[] { probe.Sample(), probe.Sample(), probe.Sample() };

        Assert.All(samples, sample => Assert.Null(sample.Cpu));
        Assert.All(samples, sample => Assert.NotNull(sample.Memory));
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), record => record.Level == LogLevel.Warning);
        Assert.Contains(proc.PathOf("stat"), warning.Message, StringComparison.Ordinal);
        Assert.Null(warning.Exception);
        Assert.Equal([new HostProbeError("stat", "missing", 3)], samples[^1].Errors);
    }

    [Fact]
    public void Sample_OnePressureFileMalformed_KeepsTheOthersAndWarnsOnce()
    {
        using var proc = TempDirectory.CopyOf(Fixture.PathOf("proc-captured"));
        proc.File(Path.Combine("pressure", "io"), "some avg10=broken\n");
        var probe = CreateProbe(proc.Path, Fixture.PathOf("sys-two-packages"));

        var samples = new[] { probe.Sample(), probe.Sample() };

        Assert.All(samples, sample => Assert.Equal(
            [("cpu", "some"), ("cpu", "full"), ("memory", "some"), ("memory", "full")],
            sample.Pressure.Select(stat => (stat.Resource, stat.Kind))));
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), record => record.Level == LogLevel.Warning);
        Assert.Contains(proc.PathOf("pressure", "io"), warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_RaplCounterWraps_EnergyKeepsGrowing()
    {
        using var sys = TempDirectory.CopyOf(Fixture.PathOf("sys-two-packages"));
        var probe = CreateProbe(Fixture.PathOf("proc-captured"), sys.Path);
        double first = probe.Sample().Energy[0].Joules;
        sys.File(Path.Combine("class", "powercap", "intel-rapl:0", "energy_uj"), "1000000\n");

        var energy = probe.Sample().Energy;

        Assert.Equal(123.456789, first, Tolerance);
        // Rest of the range after 123456789 µJ, then 1000000 µJ: 262143328850 + 1000000 µJ in all.
        Assert.Equal(new EnergyCounter("package-0", 262144.32885), energy[0], new EnergyComparer());
        Assert.Equal(987.654321, energy[2].Joules, Tolerance);
    }

    [Fact]
    public void Sample_RaplNotReadable_LogsOnceAtInformationAndRecovers()
    {
        using var sys = TempDirectory.CopyOf(Fixture.PathOf("sys-two-packages"));
        var probe = CreateProbe(Fixture.PathOf("proc-captured"), sys.Path);
        probe.Sample();
        // A directory in place of energy_uj opens with UnauthorizedAccessException, as a root-only
        // energy_uj does for an unprivileged user (tests run as root, where chmod would not deny).
        string energy = sys.PathOf("class", "powercap", "intel-rapl:0", "energy_uj");
        File.Delete(energy);
        Directory.CreateDirectory(energy);

        var denied = new[] { probe.Sample(), probe.Sample(), probe.Sample() };
        Directory.Delete(energy);
        File.WriteAllText(energy, "123556789\n");
        var recovered = probe.Sample();
        probe.Sample();

        Assert.All(denied, sample => Assert.Equal(["dram-0", "package-1", "dram-1"], sample.Energy.Select(counter => counter.Domain)));
        Assert.Equal(new EnergyCounter("package-0", 123.556789), recovered.Energy[0], new EnergyComparer());
        var records = _logger.Collector.GetSnapshot();
        Assert.DoesNotContain(records, record => record.Level >= LogLevel.Warning);
        var deniedRecord = Assert.Single(records, record => record.Message.Contains("permission denied", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, deniedRecord.Level);
        Assert.Contains(energy, deniedRecord.Message, StringComparison.Ordinal);
        Assert.Contains("Run as root or grant read access", deniedRecord.Message, StringComparison.Ordinal);
        Assert.Single(records, record => record.Message.Contains("RAPL energy counters can be read again", StringComparison.Ordinal));
    }

    [Fact]
    public void Sample_RaplDomainsFound_LogsThemOnce()
    {
        var probe = CreateProbe(Fixture.PathOf("proc-captured"), Fixture.PathOf("sys-two-packages"));

        probe.Sample();
        probe.Sample();

        var found = Assert.Single(_logger.Collector.GetSnapshot(), record => record.Message.StartsWith("Found", StringComparison.Ordinal));
        Assert.Equal("Found 4 RAPL energy domains: package-0, dram-0, package-1, dram-1.", found.Message);
    }

    private HostProbe CreateProbe(string procRoot, string sysRoot) =>
        new(Options.Create(new ProbeOptions { ProcRoot = procRoot, SysRoot = sysRoot }), _time, _logger);

    private sealed class EnergyComparer : IEqualityComparer<EnergyCounter>
    {
        public bool Equals(EnergyCounter? x, EnergyCounter? y) =>
            x is not null && y is not null && x.Domain == y.Domain && Math.Abs(x.Joules - y.Joules) <= Tolerance;

        public int GetHashCode(EnergyCounter obj) => obj.Domain.GetHashCode(StringComparison.Ordinal);
    }
}
