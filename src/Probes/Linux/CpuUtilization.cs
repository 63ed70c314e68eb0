namespace BenchDaemon.Probes.Linux;

/// <summary>CPU utilisation from two cumulative readings of <c>/proc/stat</c>.</summary>
public static class CpuUtilization
{
    /// <summary>
    /// Busy share (0..1) of the time that passed between <paramref name="previous"/> and
    /// <paramref name="current"/>; null when no time passed. Per-mode counters can step back
    /// slightly (iowait is known to, see proc(5)), so the result is clamped to [0, 1].
    /// </summary>
    public static double? Between(CpuTimes previous, CpuTimes current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var total = current.Total - previous.Total;
        if (total <= 0)
        {
            return null;
        }

        var busy = current.Busy - previous.Busy;
        return Math.Clamp(busy / total, 0, 1);
    }
}
