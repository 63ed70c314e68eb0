using System.Globalization;
using BenchDaemon.Workloads.Studies;
using SkiaSharp;

namespace BenchDaemon.Cli;

/// <summary>
/// Draws p50 latency over time as PNG with SkiaSharp (already shipped for the image
/// canaries): log-scale latency, one colour per canary and batch, change points as dashed
/// verticals in the series' colour, environment changes as grey verticals, open or closed
/// regressions shaded red.
/// </summary>
public static class ReportChart
{
    private const int Width = 1400;
    private const int Height = 700;
    private const float Left = 90;
    private const float Right = 30;
    private const float Top = 50;
    private const float Bottom = 60;

    private static readonly SKColor[] s_palette =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x17, 0xbe, 0xcf), new(0xbc, 0xbd, 0x22),
    ];

    /// <summary>Writes the chart of <paramref name="series"/> to <paramref name="path"/>.</summary>
    public static void Write(IReadOnlyList<ReportSeries> series, string path, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(series);
        var points = series.SelectMany(s => s.Points).ToList();
        if (points.Count == 0)
        {
            throw new InvalidOperationException("nothing to draw: no measured runs");
        }

        var t0 = points.Min(p => p.Time);
        var t1 = points.Max(p => p.Time);
        if (t1 <= t0)
        {
            t1 = t0.AddMinutes(1);
        }

        var yMin = Math.Log10(points.Min(p => p.Seconds) * 0.9);
        var yMax = Math.Log10(points.Max(p => p.Seconds) * 1.1);
        float X(DateTimeOffset t) => Left + (float)((t - t0) / (t1 - t0)) * (Width - Left - Right);
        float Y(double seconds) => Top + (float)((yMax - Math.Log10(seconds)) / (yMax - yMin)) * (Height - Top - Bottom);

        using var surface = SKSurface.Create(new SKImageInfo(Width, Height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = ChartFont.Load() ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 14);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grid = new SKPaint { Color = new SKColor(0xdd, 0xdd, 0xdd), StrokeWidth = 1 };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.5f };
        using var shade = new SKPaint { Color = new SKColor(0xff, 0x00, 0x00, 0x30), Style = SKPaintStyle.Fill };
        using var environment = new SKPaint { Color = new SKColor(0x77, 0x77, 0x77), StrokeWidth = 2 };

        // Latency grid at 1-2-5 steps.
        for (var decade = Math.Floor(yMin); decade <= Math.Ceiling(yMax); decade++)
        {
            foreach (var step in new[] { 1.0, 2.0, 5.0 })
            {
                var seconds = step * Math.Pow(10, decade);
                if (Math.Log10(seconds) < yMin || Math.Log10(seconds) > yMax)
                {
                    continue;
                }

                var y = Y(seconds);
                canvas.DrawLine(Left, y, Width - Right, y, grid);
                canvas.DrawText(FormatSeconds(seconds), 8, y + 5, SKTextAlign.Left, font, text);
            }
        }

        canvas.DrawLine(Left, Height - Bottom, Width - Right, Height - Bottom, axis);
        canvas.DrawLine(Left, Top, Left, Height - Bottom, axis);
        for (var i = 0; i <= 6; i++)
        {
            var t = t0 + ((t1 - t0) * i / 6);
            var format = t1 - t0 < TimeSpan.FromHours(2) ? "HH:mm:ss" : "MM-dd HH:mm";
            canvas.DrawText(t.UtcDateTime.ToString(format, CultureInfo.InvariantCulture), X(t), Height - Bottom + 20, SKTextAlign.Center, font, text);
        }

        canvas.DrawText("p50 latency per run (log scale); dashed: change points; grey: environment changes; red: regressions", Left, 30, SKTextAlign.Left, font, text);

        for (var s = 0; s < series.Count; s++)
        {
            var color = s_palette[s % s_palette.Length];
            using var line = new SKPaint { Color = color, StrokeWidth = 1.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
            using var dot = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };
            using var dashed = new SKPaint { Color = color, StrokeWidth = 2, PathEffect = SKPathEffect.CreateDash([8, 6], 0) };
            var current = series[s];
            foreach (var (start, end) in current.Regressions)
            {
                canvas.DrawRect(SKRect.Create(X(start), Top, Math.Max(2, X(end ?? (now > t1 ? t1 : now)) - X(start)), Height - Top - Bottom), shade);
            }

            foreach (var change in current.EnvironmentChanges)
            {
                canvas.DrawLine(X(change), Top, X(change), Height - Bottom, environment);
            }

            for (var i = 0; i < current.Points.Count; i++)
            {
                var (time, seconds) = current.Points[i];
                if (i > 0)
                {
                    var (previousTime, previousSeconds) = current.Points[i - 1];
                    canvas.DrawLine(X(previousTime), Y(previousSeconds), X(time), Y(seconds), line);
                }

                canvas.DrawCircle(X(time), Y(seconds), 2.5f, dot);
            }
            foreach (var point in current.ChangePoints)
            {
                canvas.DrawLine(X(point.Time), Top, X(point.Time), Height - Bottom, dashed);
            }

            canvas.DrawRect(SKRect.Create(Width - Right - 330, Top + 10 + (s * 20), 14, 10), dot);
            canvas.DrawText(current.Label, Width - Right - 310, Top + 20 + (s * 20), SKTextAlign.Left, font, text);
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static string FormatSeconds(double seconds) => seconds switch
    {
        >= 1 => string.Create(CultureInfo.InvariantCulture, $"{seconds:G3} s"),
        >= 1e-3 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:G3} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:G3} µs"),
    };
}
