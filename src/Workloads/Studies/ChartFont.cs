using SkiaSharp;

namespace BenchDaemon.Workloads.Studies;

/// <summary>
/// The font the PNG charts label with (the study reports and the regression report). The bundled
/// Skia has no fontconfig, so the usual TrueType files are tried first, then Skia's own match.
/// </summary>
public static class ChartFont
{
    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    ];

    /// <summary>
    /// A typeface with glyphs, owned by the caller; <see langword="null"/> when the host has no
    /// usable font (labels are then left out and the tables carry the numbers).
    /// </summary>
    public static SKTypeface? Load()
    {
        foreach (var file in Candidates.Where(File.Exists))
        {
            if (SKTypeface.FromFile(file) is { } typeface)
            {
                return typeface;
            }
        }

        if (SKFontManager.Default.MatchFamily("sans-serif") is { GlyphCount: > 0 } matched)
        {
            return matched;
        }

        var fallback = SKTypeface.Default;
        return fallback is { GlyphCount: > 0 } ? fallback : null;
    }
}
