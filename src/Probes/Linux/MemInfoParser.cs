using System.Globalization;

namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Parses <c>/proc/meminfo</c> (proc(5); https://docs.kernel.org/filesystems/proc.html#meminfo).
/// </summary>
/// <remarks>
/// Lines are <c>Name:   value kB</c>; despite the unit's name the kernel means KiB, so values are
/// multiplied by 1024. Lines other than the ones <see cref="MemInfo"/> holds are ignored.
/// </remarks>
public static class MemInfoParser
{
    private const ulong BytesPerKiB = 1024;

    /// <summary>Parses the text of <c>/proc/meminfo</c>.</summary>
    /// <returns>The memory figures in bytes. MemAvailable, absent before Linux 3.14, is estimated as
    /// MemFree + Buffers + Cached; Buffers, Cached and the swap figures default to 0 when absent.</returns>
    /// <exception cref="FormatException">MemTotal or MemFree is missing, or a field this parser reads is malformed.</exception>
    public static MemInfo Parse(ReadOnlySpan<char> text)
    {
        ulong? total = null;
        ulong? free = null;
        ulong? available = null;
        ulong buffers = 0;
        ulong cached = 0;
        ulong swapTotal = 0;
        ulong swapFree = 0;

        foreach (var line in text.EnumerateLines())
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..];
            switch (name)
            {
                case "MemTotal":
                    total ??= ParseKiB(name, value);
                    break;
                case "MemFree":
                    free ??= ParseKiB(name, value);
                    break;
                case "MemAvailable":
                    available ??= ParseKiB(name, value);
                    break;
                case "Buffers":
                    buffers = ParseKiB(name, value);
                    break;
                case "Cached":
                    cached = ParseKiB(name, value);
                    break;
                case "SwapTotal":
                    swapTotal = ParseKiB(name, value);
                    break;
                case "SwapFree":
                    swapFree = ParseKiB(name, value);
                    break;
                default:
                    break;
            }
        }

        if (total is null)
        {
            throw new FormatException("/proc/meminfo: the required field MemTotal is missing.");
        }

        if (free is null)
        {
            throw new FormatException("/proc/meminfo: the required field MemFree is missing.");
        }

        return new MemInfo(
            TotalBytes: total.Value,
            FreeBytes: free.Value,
            AvailableBytes: available ?? free.Value + buffers + cached,
            BuffersBytes: buffers,
            CachedBytes: cached,
            SwapTotalBytes: swapTotal,
            SwapFreeBytes: swapFree);
    }

    private static ulong ParseKiB(ReadOnlySpan<char> name, ReadOnlySpan<char> value)
    {
        var rest = value;
        var number = ProcText.NextToken(ref rest);
        var unit = ProcText.NextToken(ref rest);
        if (!ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out ulong kib)
            || kib > ulong.MaxValue / BytesPerKiB
            || !(unit.IsEmpty || unit.SequenceEqual("kB"))
            || !ProcText.NextToken(ref rest).IsEmpty)
        {
            throw new FormatException($"/proc/meminfo: field {name} is not a size in kB: '{value.Trim()}'.");
        }

        return kib * BytesPerKiB;
    }
}
