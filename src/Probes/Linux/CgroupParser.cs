namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Reads the container id and Kubernetes pod UID out of <c>/proc/&lt;pid&gt;/cgroup</c>
/// (man 7 cgroups: one <c>hierarchy-ID:controller-list:cgroup-path</c> line per hierarchy; cgroup v2
/// has the single line <c>0::path</c>). Runtimes name the container's cgroup after its 64-hex id:
/// <c>/docker/&lt;id&gt;</c>, <c>docker-&lt;id&gt;.scope</c>, <c>cri-containerd-&lt;id&gt;.scope</c>,
/// <c>crio-&lt;id&gt;.scope</c> or a bare <c>&lt;id&gt;</c> under the pod; the kubelet names the pod's cgroup
/// <c>pod&lt;uid&gt;</c> (cgroupfs driver, dashes) or <c>kubepods-…-pod&lt;uid&gt;.slice</c> (systemd driver,
/// underscores for dashes).
/// </summary>
public static class CgroupParser
{
    private const int ContainerIdLength = 64;
    private const int UidLength = 36;

    /// <summary>Parses the text of a <c>/proc/&lt;pid&gt;/cgroup</c> file.</summary>
    public static CgroupIdentity Parse(ReadOnlySpan<char> text)
    {
        string? container = null, pod = null;
        foreach (var range in text.Split('\n'))
        {
            var line = text[range].TrimEnd('\r');
            // The path is everything after the second colon (a path may itself hold colons).
            var first = line.IndexOf(':');
            if (first < 0)
            {
                continue;
            }

            var second = line[(first + 1)..].IndexOf(':');
            if (second < 0)
            {
                continue;
            }

            var path = line[(first + second + 2)..];
            foreach (var segmentRange in path.Split('/'))
            {
                var segment = path[segmentRange];
                container = ContainerId(segment) ?? container;
                pod = PodUid(segment) ?? pod;
            }

            if (container is not null && pod is not null)
            {
                break;
            }
        }

        return container is null && pod is null ? CgroupIdentity.None : new CgroupIdentity(container, pod);
    }

    private static string? ContainerId(ReadOnlySpan<char> segment)
    {
        if (segment.EndsWith(".scope", StringComparison.Ordinal))
        {
            segment = segment[..^".scope".Length];
        }

        // The id is the segment's last 64 characters, after a runtime prefix ending in '-' or nothing.
        if (segment.Length < ContainerIdLength)
        {
            return null;
        }

        var id = segment[^ContainerIdLength..];
        if (segment.Length > ContainerIdLength && segment[^(ContainerIdLength + 1)] != '-')
        {
            return null;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return null;
            }
        }

        return id.ToString();
    }

    private static string? PodUid(ReadOnlySpan<char> segment)
    {
        if (segment.EndsWith(".slice", StringComparison.Ordinal))
        {
            segment = segment[..^".slice".Length];
        }

        var at = segment.LastIndexOf("pod", StringComparison.Ordinal);
        if (at < 0 || segment.Length - (at + 3) != UidLength || (at > 0 && segment[at - 1] != '-'))
        {
            return null;
        }

        Span<char> uid = stackalloc char[UidLength];
        segment[(at + 3)..].CopyTo(uid);
        for (var i = 0; i < UidLength; i++)
        {
            var dash = i is 8 or 13 or 18 or 23;
            if (uid[i] == '_' && dash)
            {
                uid[i] = '-';
            }

            if (dash ? uid[i] != '-' : !char.IsAsciiHexDigitLower(uid[i]))
            {
                return null;
            }
        }

        return uid.ToString();
    }
}
