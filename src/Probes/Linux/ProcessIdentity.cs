using System.Globalization;

namespace BenchDaemon.Probes.Linux;

/// <summary>What <c>/proc/&lt;pid&gt;</c> says of another process: its command name and its container and pod.</summary>
/// <param name="Name">Command name from <c>/proc/&lt;pid&gt;/comm</c>; <c>unknown</c> where unreadable.</param>
/// <param name="Cgroup">Container and pod from <c>/proc/&lt;pid&gt;/cgroup</c>; <see cref="CgroupIdentity.None"/> where unreadable.</param>
public sealed record ProcessIdentity(string Name, CgroupIdentity Cgroup)
{
    /// <summary>Reads process <paramref name="pid"/> under <paramref name="procRoot"/> (<c>Probes:ProcRoot</c>); never throws for a file it cannot read.</summary>
    public static ProcessIdentity Read(string procRoot, int pid)
    {
        ArgumentNullException.ThrowIfNull(procRoot);
        var directory = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture));
        string name;
        CgroupIdentity cgroup;
        try
        {
            name = File.ReadAllText(Path.Combine(directory, "comm")).TrimEnd('\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another PID namespace (NVML reports host PIDs inside containers) or already gone.
            name = "unknown";
        }

        try
        {
            cgroup = CgroupParser.Parse(File.ReadAllText(Path.Combine(directory, "cgroup")));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            cgroup = CgroupIdentity.None;
        }

        return new ProcessIdentity(name, cgroup);
    }
}
