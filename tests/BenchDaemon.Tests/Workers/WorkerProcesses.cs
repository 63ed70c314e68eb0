using System.Globalization;

namespace BenchDaemon.Tests.Workers;

/// <summary>The worker processes (<c>benchdaemon __worker</c>) a process started, read from /proc.</summary>
public static class WorkerProcesses
{
    /// <summary>Pids of the live workers whose parent is <paramref name="parent"/>.</summary>
    public static IReadOnlyList<int> Of(int parent)
    {
        var workers = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // pid (comm) state ppid …; comm may hold spaces, so read after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] != "Z" && int.Parse(fields[1], CultureInfo.InvariantCulture) == parent
                    && File.ReadAllText(Path.Combine(directory, "cmdline")).Contains("__worker", StringComparison.Ordinal))
                {
                    workers.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // Gone meanwhile.
            }
        }

        return workers;
    }

    /// <summary>True while process <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
