using System.Globalization;
using BenchDaemon.Probes;
using BenchDaemon.Probes.Linux;
using BenchDaemon.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>
/// A directory with fake <c>stat</c>, <c>meminfo</c> and <c>loadavg</c> files for the host
/// probe, and a real <see cref="ProbeSampler"/> over it.
/// </summary>
public sealed class FakeProcRoot : IDisposable
{
    private readonly TempDirectory _directory = new();
    private long _busyTicks = 10_000;
    private long _idleTicks = 10_000;

    public FakeProcRoot()
    {
        _directory.File("meminfo", "MemTotal:       16384000 kB\nMemFree:         8192000 kB\nMemAvailable:   12288000 kB\n");
        _directory.File("loadavg", "0.50 0.40 0.30 1/200 4242\n");
        WriteStat();
        var options = Options.Create(new ProbeOptions { ProcRoot = _directory.Path, SysRoot = Path.Combine(_directory.Path, "no-sys") });
        var probe = new HostProbe(options, TimeProvider.System, NullLogger<HostProbe>.Instance);
        Sampler = new ProbeSampler(probe, options, TimeProvider.System, NullLogger<ProbeSampler>.Instance);
    }

    public ProbeSampler Sampler { get; }

    /// <summary>
    /// Ticks the sampler twice around 100 USER_HZ ticks of which <paramref name="utilisation"/>
    /// were busy (user time), so <c>Sampler.Latest.CpuUtilization</c> equals it.
    /// </summary>
    public ProbeSampler At(double utilisation)
    {
        Sampler.Tick();
        var busy = (long)Math.Round(utilisation * 100);
        _busyTicks += busy;
        _idleTicks += 100 - busy;
        WriteStat();
        Sampler.Tick();
        return Sampler;
    }

    public void Dispose()
    {
        Sampler.Dispose();
        _directory.Dispose();
    }

    // Fields: user nice system idle iowait irq softirq steal guest guest_nice (proc(5)).
    private void WriteStat() =>
        _directory.File("stat", string.Create(CultureInfo.InvariantCulture, $"cpu  {_busyTicks} 0 0 {_idleTicks} 0 0 0 0 0 0\ncpu0 {_busyTicks} 0 0 {_idleTicks} 0 0 0 0 0 0\nintr 0\n"));
}
