using System.Globalization;

namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Parses <c>/proc/loadavg</c> (proc(5)): <c>0.22 0.13 0.05 1/79 1753</c> is the 1, 5 and 15 minute
/// load averages, runnable/total scheduling entities, and the most recent PID (ignored).
/// </summary>
public static class LoadAvgParser
{
    /// <summary>Parses the text of <c>/proc/loadavg</c>.</summary>
    /// <exception cref="FormatException">A load average or the task counts are missing or malformed.</exception>
    public static LoadAverage Parse(ReadOnlySpan<char> text)
    {
        var rest = text;
        double load1 = ParseLoad(ProcText.NextToken(ref rest), "1-minute");
        double load5 = ParseLoad(ProcText.NextToken(ref rest), "5-minute");
        double load15 = ParseLoad(ProcText.NextToken(ref rest), "15-minute");

        var tasks = ProcText.NextToken(ref rest);
        int slash = tasks.IndexOf('/');
        if (slash < 0
            || !int.TryParse(tasks[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out int runnable)
            || !int.TryParse(tasks[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int total))
        {
            throw new FormatException($"/proc/loadavg: the task counts are not 'runnable/total': '{tasks}'.");
        }

        return new LoadAverage(load1, load5, load15, runnable, total);
    }

    private static double ParseLoad(ReadOnlySpan<char> token, string which)
    {
        if (!double.TryParse(token, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double load))
        {
            throw new FormatException($"/proc/loadavg: the {which} load average is not a number: '{token}'.");
        }

        return load;
    }
}
