using System.Globalization;
using System.Text.RegularExpressions;

namespace BenchDaemon.Tests.Support;

/// <summary>Reads series out of a /metrics exposition and waits for them to reach a value.</summary>
public static class Scrape
{
    /// <summary>The value of the series written exactly as <paramref name="series"/> (name and labels), or null.</summary>
    public static double? Value(string metrics, string series)
    {
        var match = Regex.Match(metrics, $"(?m)^{Regex.Escape(series)} (?<v>[^ \\n]+)$");
        return match.Success ? double.Parse(match.Groups["v"].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The sum of every series whose line matches <paramref name="pattern"/> (a regex over name and labels).</summary>
    public static double Sum(string metrics, string pattern) =>
        Regex.Matches(metrics, $"(?m)^{pattern} (?<v>[^ \\n]+)$").Sum(m => double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture));

    /// <summary>
    /// Scrapes until <paramref name="condition"/> holds (a condition that throws an assertion
    /// failure, because a series it reads is not there yet, does not hold); fails with <paramref name="what"/> and the daemon's output after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<string> UntilAsync(DaemonProcess daemon, Func<string, bool> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var text = await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(20));
            if (Holds(condition, text))
            {
                return text;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: not seen within {timeout ?? TimeSpan.FromSeconds(60)}\nstdout: {daemon.StandardOutput}\nstderr: {daemon.StandardError}");
            }

            await Task.Delay(200);
        }
    }

    private static bool Holds(Func<string, bool> condition, string metrics)
    {
        try
        {
            return condition(metrics);
        }
        catch (Xunit.Sdk.XunitException)
        {
            return false;
        }
    }
}
