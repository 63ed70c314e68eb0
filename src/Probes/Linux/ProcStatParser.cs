using System.Globalization;

namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Parses the CPU lines of <c>/proc/stat</c> (proc(5);
/// https://docs.kernel.org/filesystems/proc.html#miscellaneous-kernel-statistics-in-proc-stat).
/// </summary>
/// <remarks>
/// Each <c>cpu</c>/<c>cpuN</c> line holds cumulative ticks per mode in the order user, nice, system,
/// idle, iowait (2.5.41), irq, softirq (2.6.0), steal (2.6.11), guest (2.6.24), guest_nice (2.6.33).
/// Older kernels write fewer fields; the missing trailing ones are taken as 0. Offline CPUs have no
/// line at all, so CPU numbers may have gaps (cpu0, cpu2). The parser runs every sampling tick, so
/// it slices spans instead of splitting strings.
/// </remarks>
public static class ProcStatParser
{
    /// <summary>
    /// USER_HZ, the unit of the times in <c>/proc/stat</c>. The kernel converts its internal jiffies
    /// (CONFIG_HZ, 100 to 1000) to USER_HZ before exporting them (<c>jiffies_64_to_clock_t</c>), and
    /// USER_HZ is 100 on every Linux ABI; <c>sysconf(_SC_CLK_TCK)</c> reports the same value.
    /// </summary>
    public const double UserHz = 100;

    // user, nice, system, idle exist on every kernel; a line with fewer fields is not /proc/stat.
    private const int RequiredFields = 4;

    private static readonly string[] s_fieldNames =
        ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice"];

    /// <summary>Parses the text of <c>/proc/stat</c>.</summary>
    /// <param name="text">The whole file.</param>
    /// <param name="ticksPerSecond">Ticks per second of the counters; USER_HZ (<see cref="UserHz"/>) unless a test says otherwise.</param>
    /// <returns>The all-CPU times and those of each online CPU in file order, in seconds.</returns>
    /// <exception cref="FormatException">There is no <c>cpu</c> line, or a CPU line has a malformed or missing number.</exception>
    public static CpuStat Parse(ReadOnlySpan<char> text, double ticksPerSecond = UserHz)
    {
        if (!double.IsFinite(ticksPerSecond) || ticksPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ticksPerSecond), ticksPerSecond, "must be a positive number");
        }

        CpuTimes? total = null;
        // "\ncpu" precedes every cpuN line (the all-CPU line comes first), which sizes the list exactly.
        var cores = new List<CpuCoreTimes>(text.Count("\ncpu"));
        Span<ulong> ticks = stackalloc ulong[s_fieldNames.Length];
        bool inCpuBlock = false;

        foreach (var line in text.EnumerateLines())
        {
            var rest = line;
            var label = ProcText.NextToken(ref rest);
            if (!TryGetCpuNumber(label, out int cpu))
            {
                // The CPU lines are one block at the top; the long intr and softirq lines after it
                // need not be scanned.
                if (inCpuBlock)
                {
                    break;
                }

                continue;
            }

            inCpuBlock = true;
            var times = ParseTimes(label, rest, ticks, ticksPerSecond);
            if (cpu < 0)
            {
                total ??= times;
            }
            else
            {
                cores.Add(new CpuCoreTimes(cpu, times));
            }
        }

        if (total is null)
        {
            throw new FormatException("/proc/stat has no 'cpu ' line (the all-CPU times).");
        }

        return new CpuStat(total, cores);
    }

    // true for "cpu" (cpu = -1) and "cpuN"; false for every other line (intr, ctxt, ...).
    private static bool TryGetCpuNumber(ReadOnlySpan<char> label, out int cpu)
    {
        cpu = -1;
        if (!label.StartsWith("cpu", StringComparison.Ordinal))
        {
            return false;
        }

        var number = label[3..];
        if (number.IsEmpty)
        {
            return true;
        }

        // A plain loop: span.ContainsAnyExceptInRange('0', '9') allocates 96 bytes a call on .NET 10.0.12.
        foreach (char c in number)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out cpu))
        {
            throw new FormatException($"/proc/stat: CPU number of line '{label}' is out of range.");
        }

        return true;
    }

    private static CpuTimes ParseTimes(ReadOnlySpan<char> label, ReadOnlySpan<char> rest, Span<ulong> ticks, double ticksPerSecond)
    {
        ticks.Clear();
        int count = 0;
        while (count < ticks.Length)
        {
            var token = ProcText.NextToken(ref rest);
            if (token.IsEmpty)
            {
                break;
            }

            if (!ulong.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out ticks[count]))
            {
                throw new FormatException(
                    $"/proc/stat: field {count + 1} ({s_fieldNames[count]}) of line '{label}' is not a tick count: '{token}'.");
            }

            count++;
        }

        if (count < RequiredFields)
        {
            throw new FormatException(
                $"/proc/stat: line '{label}' has {count} fields; at least {RequiredFields} (user nice system idle) are required.");
        }

        // guest and guest_nice (ticks[8..9]) are parsed to validate the line but not kept: the kernel
        // already counts them in user and nice.
        return new CpuTimes(
            User: ticks[0] / ticksPerSecond,
            Nice: ticks[1] / ticksPerSecond,
            System: ticks[2] / ticksPerSecond,
            Idle: ticks[3] / ticksPerSecond,
            IoWait: ticks[4] / ticksPerSecond,
            Irq: ticks[5] / ticksPerSecond,
            SoftIrq: ticks[6] / ticksPerSecond,
            Steal: ticks[7] / ticksPerSecond);
    }
}
