using System.Globalization;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Figures for people (log lines): three significant figures, no exponent, and a unit that
/// keeps the number between 1 and 1000 — <c>48.9 ms</c>, not <c>0.0489095335</c>. Machine-readable
/// figures stay in base units in /metrics, the history and <c>--json</c>.
/// </summary>
public static class Readable
{
    /// <summary>Written where a figure was not measured.</summary>
    public const string NotAvailable = "n/a";

    /// <summary><paramref name="seconds"/> in ns, µs, ms or s.</summary>
    public static string Duration(double? seconds) => seconds is not { } s || !double.IsFinite(s) || s < 0
        ? NotAvailable
        : s switch
        {
            0 => "0 s",
            < 1e-6 => $"{Figure(s * 1e9)} ns",
            < 1e-3 => $"{Figure(s * 1e6)} µs",
            < 1 => $"{Figure(s * 1e3)} ms",
            _ => $"{Figure(s)} s",
        };

    /// <summary>A rate such as <c>20.3 samples/s</c>.</summary>
    public static string PerSecond(double? value, string what) =>
        value is { } v && double.IsFinite(v) ? $"{Figure(v)} {what}/s" : $"{NotAvailable} {what}/s";

    /// <summary>Energy per sample in J or mJ.</summary>
    public static string JoulesPerSample(double? joules) => joules is not { } j || !double.IsFinite(j) || j < 0
        ? NotAvailable
        : j is > 0 and < 1 ? $"{Figure(j * 1e3)} mJ/sample" : $"{Figure(j)} J/sample";

    /// <summary>Three significant figures without an exponent (integers from 100 up).</summary>
    public static string Figure(double value)
    {
        if (!double.IsFinite(value))
        {
            return NotAvailable;
        }

        var magnitude = Math.Abs(value);
        if (magnitude == 0 || magnitude >= 99.95)
        {
            return Math.Round(value).ToString("F0", CultureInfo.InvariantCulture);
        }

        var decimals = Math.Clamp(2 - (int)Math.Floor(Math.Log10(magnitude)), 0, 15);
        var rounded = Math.Round(value, decimals);
        // 9.996 rounds to 10.00: one decimal fewer keeps three figures.
        if (Math.Abs(rounded) >= Math.Pow(10, 3 - decimals) && decimals > 0)
        {
            decimals--;
        }

        return rounded.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
