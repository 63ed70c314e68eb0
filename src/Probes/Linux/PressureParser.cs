using System.Globalization;

namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Parses a pressure stall information file, <c>/proc/pressure/{cpu,memory,io}</c>
/// (https://docs.kernel.org/accounting/psi.html).
/// </summary>
/// <remarks>
/// Each line is <c>some|full avg10=0.00 avg60=0.00 avg300=0.00 total=12345</c>. The averages are
/// percentages of wall time and become ratios (0..1); <c>total</c> is the cumulative stall time in
/// microseconds and becomes seconds. <c>cpu</c> has a <c>full</c> line only since Linux 5.13 (and it
/// is always zero at system level), so one or two entries come back. Lines of another kind are
/// ignored so a future kernel's addition does not break the probe.
/// </remarks>
public static class PressureParser
{
    private const string Some = "some";
    private const string Full = "full";

    /// <summary>Parses one pressure file.</summary>
    /// <param name="resource">The resource the file describes (<c>cpu</c>, <c>memory</c>, <c>io</c>); copied into each entry.</param>
    /// <param name="text">The whole file.</param>
    /// <returns>The <c>some</c> entry, then the <c>full</c> entry when the file has one.</returns>
    /// <exception cref="FormatException">There is no <c>some</c> line, or a value is missing or malformed.</exception>
    public static IReadOnlyList<PressureStat> Parse(string resource, ReadOnlySpan<char> text)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);

        PressureStat? some = null;
        PressureStat? full = null;
        foreach (var line in text.EnumerateLines())
        {
            var rest = line;
            var kind = ProcText.NextToken(ref rest);
            if (kind.SequenceEqual(Some))
            {
                some ??= ParseLine(resource, Some, rest);
            }
            else if (kind.SequenceEqual(Full))
            {
                full ??= ParseLine(resource, Full, rest);
            }
        }

        if (some is null)
        {
            throw new FormatException($"/proc/pressure/{resource} has no 'some' line.");
        }

        return full is null ? [some] : [some, full];
    }

    private static PressureStat ParseLine(string resource, string kind, ReadOnlySpan<char> rest)
    {
        double? avg10 = null;
        double? avg60 = null;
        double? avg300 = null;
        ulong? totalMicroseconds = null;

        for (var pair = ProcText.NextToken(ref rest); !pair.IsEmpty; pair = ProcText.NextToken(ref rest))
        {
            int equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var key = pair[..equals];
            var value = pair[(equals + 1)..];
            switch (key)
            {
                case "avg10":
                    avg10 = ParsePercent(resource, kind, key, value);
                    break;
                case "avg60":
                    avg60 = ParsePercent(resource, kind, key, value);
                    break;
                case "avg300":
                    avg300 = ParsePercent(resource, kind, key, value);
                    break;
                case "total":
                    if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong total))
                    {
                        throw Malformed(resource, kind, key, value);
                    }

                    totalMicroseconds = total;
                    break;
                default:
                    break;
            }
        }

        return new PressureStat(
            resource,
            kind,
            Avg10: avg10 ?? throw Missing(resource, kind, "avg10"),
            Avg60: avg60 ?? throw Missing(resource, kind, "avg60"),
            Avg300: avg300 ?? throw Missing(resource, kind, "avg300"),
            TotalSeconds: (totalMicroseconds ?? throw Missing(resource, kind, "total")) / 1e6);
    }

    private static double ParsePercent(string resource, string kind, ReadOnlySpan<char> key, ReadOnlySpan<char> value)
    {
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double percent))
        {
            throw Malformed(resource, kind, key, value);
        }

        return percent / 100;
    }

    private static FormatException Malformed(string resource, string kind, ReadOnlySpan<char> key, ReadOnlySpan<char> value) =>
        new($"/proc/pressure/{resource}: {key} of the '{kind}' line is not a number: '{value}'.");

    private static FormatException Missing(string resource, string kind, string key) =>
        new($"/proc/pressure/{resource}: the '{kind}' line has no {key}.");
}
