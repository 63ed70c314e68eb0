using System.Globalization;

namespace BenchDaemon.Probes.Linux;

/// <summary>This process's own CPU time, from <c>/proc/self/stat</c> (proc(5): utime and stime, fields 14 and 15, in USER_HZ ticks).</summary>
public static class SelfCpu
{
    /// <summary>User plus system CPU seconds of this process; null when the file cannot be read.</summary>
    public static double? ReadSeconds(string procRoot = "/proc") => Read(procRoot, "self")?.CpuSeconds;

    /// <summary>
    /// User plus system CPU seconds of this process and of its children it waited for (proc(5):
    /// cutime and cstime, fields 16 and 17: a worker's CPU moves there when it ends and is reaped);
    /// null when the file cannot be read.
    /// </summary>
    public static double? ReadWithChildrenSeconds(string procRoot = "/proc") => Read(procRoot, "self") is { } own ? own.CpuSeconds + own.ChildrenCpuSeconds : null;

    /// <summary>User plus system CPU seconds of process <paramref name="pid"/>; null when it is gone.</summary>
    public static double? ReadSeconds(int pid, string procRoot = "/proc") => Read(procRoot, pid.ToString(CultureInfo.InvariantCulture))?.CpuSeconds;

    private static (double CpuSeconds, double ChildrenCpuSeconds)? Read(string procRoot, string process)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(procRoot, process, "stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Parse(text) is { } parsed ? (parsed.CpuSeconds, ParseChildren(text) ?? 0) : null;
    }

    // cutime and cstime (fields 16 and 17), in USER_HZ ticks.
    private static double? ParseChildren(string text)
    {
        var close = text.LastIndexOf(')');
        var fields = close < 0 ? [] : text[(close + 2)..].Split(' ');
        return fields.Length < 15 ? null : (double.Parse(fields[13], CultureInfo.InvariantCulture) + double.Parse(fields[14], CultureInfo.InvariantCulture)) / ProcStatParser.UserHz;
    }

    /// <summary>
    /// Parses a <c>/proc/[pid]/stat</c> line: CPU seconds, resident pages, virtual bytes and
    /// threads. The command name (field 2) may hold spaces and parentheses, so fields are
    /// counted after the last ')'.
    /// </summary>
    public static (double CpuSeconds, double RssPages, double VirtualBytes, double Threads)? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 22)
        {
            return null;
        }

        double Field(int number) => double.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return ((Field(14) + Field(15)) / ProcStatParser.UserHz, Field(24), Field(23), Field(20));
    }
}
