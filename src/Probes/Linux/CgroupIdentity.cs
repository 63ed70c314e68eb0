namespace BenchDaemon.Probes.Linux;

/// <summary>The container and Kubernetes pod a process runs in, as its cgroup path names them; null parts where it does not.</summary>
/// <param name="ContainerId">64-hex container id (Docker, containerd, CRI-O), or null outside a container.</param>
/// <param name="PodUid">Kubernetes pod UID with dashes, or null outside a pod.</param>
public sealed record CgroupIdentity(string? ContainerId, string? PodUid)
{
    /// <summary>A process in no container.</summary>
    public static CgroupIdentity None { get; } = new(null, null);
}
