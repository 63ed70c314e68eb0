using BenchDaemon.Probes.Nvml;
using BenchDaemon.Probes.Tests.Linux;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Probes.Tests.Nvml;

/// <summary>
/// Per-process attribution against the fake NVML: SM utilisation, the energy split by SM share,
/// and the container and pod read from cgroup files (Fixtures/cgroup) under a scripted proc root.
/// </summary>
[Collection(FakeNvmlTests.Name)]
public sealed class GpuProcessTests : IDisposable
{
    private const uint Docker = 101;
    private const uint Pod = 202;
    private const uint Host = 303;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<GpuProbe> _logger = new();
    private readonly TempDirectory _proc = new();
    private GpuProbe? _probe;

    public GpuProcessTests()
    {
        FakeNvmlLibrary.Reset();
        Process(Docker, "trtexec", "v1-docker");
        Process(Pod, "python3", "v2-kubernetes-containerd");
        Process(Host, "ollama", "v2-host");
        FakeNvmlLibrary.AddProcess(0, Docker, 4UL << 30);
        FakeNvmlLibrary.AddProcess(0, Pod, 2UL << 30);
        FakeNvmlLibrary.AddProcess(0, Host, 1UL << 30);
        FakeNvmlLibrary.SetProcessUtilization(0, Docker, 60, 10);
        FakeNvmlLibrary.SetProcessUtilization(0, Pod, 20, 5);
        FakeNvmlLibrary.Set(0, "energy", 1_000_000); // mJ
    }

    public void Dispose()
    {
        _probe?.Dispose();
        _proc.Dispose();
    }

    private void Process(uint pid, string comm, string cgroupFixture)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_proc.Path, pid.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        File.WriteAllText(Path.Combine(directory, "comm"), comm + "\n");
        File.Copy(Fixture.PathOf("cgroup", cgroupFixture), Path.Combine(directory, "cgroup"));
    }

    private GpuProbe Create(int processLimit = GpuProbeOptions.DefaultProcessLimit)
    {
        var options = new ProbeOptions
        {
            ProcRoot = _proc.Path,
            Gpu = new GpuProbeOptions { LibraryPath = FakeNvmlLibrary.Path, ProcessMetrics = true, ProcessLimit = processLimit },
        };
        _probe = new GpuProbe(Options.Create(options), _time, _logger);
        _probe.Start();
        return _probe;
    }

    private static GpuProcessMemory Of(GpuProbeSample sample, uint pid) => Assert.Single(sample.Gpus[0].Processes!, p => p.Pid == pid);

    [Fact]
    public void SampleEnergy_TwoBusyProcessesAndAnIdleOne_EnergySplitBySmShareWithContainerAndPod()
    {
        var probe = Create();
        probe.Sample();        // the compute processes
        probe.SampleEnergy();  // opens the first energy interval
        FakeNvmlLibrary.Set(0, "energy", 1_008_000); // +8 J

        probe.SampleEnergy();
        var sample = probe.Sample();

        var docker = Of(sample, Docker);
        Assert.Equal("trtexec", docker.Name);
        Assert.Equal(0.6, docker.SmUtilization);
        Assert.Equal(6.0, docker.EnergyJoules!.Value, 9);   // 8 J × 60 / (60 + 20)
        Assert.Equal("4a1ec0e2b0a8f0f1d8c5b0c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7", docker.ContainerId);
        Assert.Null(docker.PodUid);
        var pod = Of(sample, Pod);
        Assert.Equal(0.2, pod.SmUtilization);
        Assert.Equal(2.0, pod.EnergyJoules!.Value, 9);
        Assert.Equal("0e2f8c1a-3b4d-4e5f-8a9b-1c2d3e4f5a6b", pod.PodUid);
        Assert.Equal("9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0", pod.ContainerId);
        // NVML lists only processes with utilisation: the idle one is 0 and is charged nothing.
        var host = Of(sample, Host);
        Assert.Equal(0, host.SmUtilization);
        Assert.Equal(0, host.EnergyJoules);
        Assert.Null(host.ContainerId);
        Assert.Equal(2UL << 30, (ulong)pod.UsedBytes!.Value);
    }

    [Fact]
    public void Sample_ProcessExits_ItLeavesTheListAndItsStateIsDropped()
    {
        var probe = Create();
        probe.Sample();
        probe.SampleEnergy();
        FakeNvmlLibrary.Set(0, "energy", 1_008_000);
        probe.SampleEnergy();

        FakeNvmlLibrary.RemoveProcess(0, Pod);
        var sample = probe.Sample();
        probe.SampleEnergy();
        FakeNvmlLibrary.Set(0, "energy", 1_012_000); // +4 J, now all to the one busy process left
        probe.SampleEnergy();

        Assert.DoesNotContain(sample.Gpus[0].Processes!, p => p.Pid == Pod);
        Assert.Equal(10.0, Of(probe.Sample(), Docker).EnergyJoules!.Value, 9);
    }

    [Fact]
    public void Sample_MoreProcessesThanTheLimit_TheOnesWithMostMemory()
    {
        var probe = Create(processLimit: 2);

        var processes = probe.Sample().Gpus[0].Processes!;

        Assert.Equal([Docker, Pod], processes.Select(p => (uint)p.Pid));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void SampleEnergy_ProcessUtilizationNotSupported_MemoryStaysUtilizationOmittedLoggedOnce()
    {
        // As under MIG: nvmlDeviceGetProcessUtilization is NOT_SUPPORTED.
        FakeNvmlLibrary.SetStatus(0, "process_util", FakeNvmlLibrary.NotSupported);
        var probe = Create();
        probe.Sample();
        probe.SampleEnergy();
        probe.SampleEnergy();

        var docker = Of(probe.Sample(), Docker);

        Assert.Null(docker.SmUtilization);
        Assert.Null(docker.EnergyJoules);
        Assert.Equal(4L << 30, docker.UsedBytes);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1202 && r.Message.Contains("ProcessUtilization", StringComparison.Ordinal));
    }
}
