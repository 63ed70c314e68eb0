using BenchDaemon.Probes.Linux;

namespace BenchDaemon.Probes.Tests.Linux;

/// <summary>Container ids and pod UIDs out of /proc/&lt;pid&gt;/cgroup files as cgroup v1 and v2 lay them out (Fixtures/cgroup).</summary>
public sealed class CgroupParserTests
{
    private const string DockerId = "4a1ec0e2b0a8f0f1d8c5b0c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7";
    private const string PodContainerId = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";
    private const string PodUid = "0e2f8c1a-3b4d-4e5f-8a9b-1c2d3e4f5a6b";

    [Theory]
    [InlineData("v1-docker", DockerId, null)]
    [InlineData("v1-kubernetes", PodContainerId, PodUid)]
    [InlineData("v2-kubernetes-containerd", PodContainerId, PodUid)]
    [InlineData("v2-kubernetes-crio", PodContainerId, PodUid)]
    [InlineData("v2-docker", DockerId, null)]
    public void Parse_ContainerCgroup_IdAndPod(string file, string container, string? pod)
    {
        var identity = CgroupParser.Parse(Fixture.Read("cgroup", file));

        Assert.Equal(container, identity.ContainerId);
        Assert.Equal(pod, identity.PodUid);
    }

    [Theory]
    [InlineData("v2-host")]
    [InlineData("v1-sandbox-not-a-container")]
    public void Parse_NoContainer_None(string file) => Assert.Equal(CgroupIdentity.None, CgroupParser.Parse(Fixture.Read("cgroup", file)));

    [Theory]
    [InlineData("")]
    [InlineData("garbage without colons")]
    [InlineData("0::/kubepods.slice/kubepods-podnot-a-uid.slice")]
    [InlineData("0::/docker/ABCDEF")]
    public void Parse_Malformed_None(string text) => Assert.Equal(CgroupIdentity.None, CgroupParser.Parse(text));
}
