namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Cumulative CPU time per mode, in seconds, as the kernel accounts it in <c>/proc/stat</c>
/// (converted from USER_HZ ticks). Guest time is already included in user and nice by the
/// kernel (see proc(5)), so it is not listed separately to avoid counting it twice.
/// </summary>
public sealed record CpuTimes(
    double User,
    double Nice,
    double System,
    double Idle,
    double IoWait,
    double Irq,
    double SoftIrq,
    double Steal)
{
    /// <summary>All modes together.</summary>
    public double Total => User + Nice + System + Idle + IoWait + Irq + SoftIrq + Steal;

    /// <summary>Time not spent idle or waiting for I/O.</summary>
    public double Busy => Total - Idle - IoWait;

    /// <summary>The modes by the names used in the <c>mode</c> label (node_exporter's names).</summary>
    public IEnumerable<KeyValuePair<string, double>> Modes()
    {
        yield return new("user", User);
        yield return new("nice", Nice);
        yield return new("system", System);
        yield return new("idle", Idle);
        yield return new("iowait", IoWait);
        yield return new("irq", Irq);
        yield return new("softirq", SoftIrq);
        yield return new("steal", Steal);
    }
}
