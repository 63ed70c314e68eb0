using BenchDaemon.Probes.Linux;

namespace BenchDaemon.Probes.Tests.Linux;

/// <summary>Another process's name and container, read under the configured proc root (Probes:ProcRoot), never the host's /proc.</summary>
public sealed class ProcessIdentityTests
{
    private const string DockerId = "4a1ec0e2b0a8f0f1d8c5b0c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7";

    [Fact]
    public void Read_ProcessUnderRoot_NameAndContainer()
    {
        using var root = new TempDirectory();
        root.File("4242/comm", "python3\n");
        root.File("4242/cgroup", Fixture.Read("cgroup", "v2-docker"));

        var identity = ProcessIdentity.Read(root.Path, 4242);

        Assert.Equal("python3", identity.Name);
        Assert.Equal(DockerId, identity.Cgroup.ContainerId);
    }

    [Fact]
    public void Read_ProcessNotUnderRoot_UnknownAndNoContainer()
    {
        using var root = new TempDirectory();

        // PID 1 exists in the host's /proc; under this root it does not.
        var identity = ProcessIdentity.Read(root.Path, 1);

        Assert.Equal(new ProcessIdentity("unknown", CgroupIdentity.None), identity);
    }
}
