using System.Globalization;
using SkiaSharp;

namespace BenchDaemon.Workloads.Studies;

/// <summary>
/// The report's PNG charts, drawn with SkiaSharp (already the image pipeline's library): line
/// charts over batch or depth, a power-versus-throughput scatter and stacked stage shares.
/// Every chart of every study is drawn here. Labels use the first TrueType font found in the
/// usual system folders; without one the lines are still drawn and the tables carry the numbers.
/// </summary>
public static class StudyCharts
{
    private const int Width = 960;
    private const int Height = 560;
    private const float Left = 90, Right = 250, Top = 50, Bottom = 70;

    private static readonly SKColor[] s_palette =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28),
        new(0x94, 0x67, 0xbd), new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f),
        new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf),
    ];

    private static readonly Lazy<SKTypeface?> s_typeface = new(ChartFont.Load);

    /// <summary>One line (or set of points) of a chart.</summary>
    public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

    /// <summary>Writes a line chart to <paramref name="path"/>; <paramref name="logX"/> spaces x by log2 (batch sizes).</summary>
    public static void Line(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logX = false, bool lines = true, double? referenceY = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!logX || p.X > 0)).ToList();
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        DrawTitle(canvas, title);
        if (points.Count == 0)
        {
            Text(canvas, "no measured cells", Width / 2f, Height / 2f, 16, SKTextAlign.Center);
            Save(surface, path);
            return;
        }

        double Tx(double x) => logX ? Math.Log2(x) : x;
        var xMin = points.Min(p => Tx(p.X));
        var xMax = points.Max(p => Tx(p.X));
        var yMax = Math.Max(points.Max(p => p.Y), referenceY ?? 0) * 1.08;
        var yMin = Math.Min(0, points.Min(p => p.Y));
        if (xMax <= xMin)
        {
            xMin -= 1;
            xMax += 1;
        }

        if (yMax <= yMin)
        {
            yMax = yMin + 1;
        }

        float Px(double x) => (float)(Left + ((Tx(x) - xMin) / (xMax - xMin) * (Width - Left - Right)));
        float Py(double y) => (float)(Height - Bottom - ((y - yMin) / (yMax - yMin) * (Height - Top - Bottom)));
        Axes(canvas, xLabel, yLabel);

        // Y ticks: five steps; x ticks: the distinct x values measured.
        using var grid = new SKPaint { Color = new SKColor(0xe0, 0xe0, 0xe0), StrokeWidth = 1, IsAntialias = true };
        for (var i = 0; i <= 5; i++)
        {
            var y = yMin + ((yMax - yMin) * i / 5);
            canvas.DrawLine(Left, Py(y), Width - Right, Py(y), grid);
            Text(canvas, Format(y), Left - 8, Py(y) + 4, 12, SKTextAlign.Right);
        }

        foreach (var x in points.Select(p => p.X).Distinct().Order())
        {
            Text(canvas, Format(x), Px(x), Height - Bottom + 18, 12, SKTextAlign.Center);
        }

        if (referenceY is { } reference)
        {
            using var dashed = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1, IsAntialias = true, PathEffect = SKPathEffect.CreateDash([6, 4], 0) };
            canvas.DrawLine(Left, Py(reference), Width - Right, Py(reference), dashed);
        }

        for (var s = 0; s < series.Count; s++)
        {
            var color = s_palette[s % s_palette.Length];
            using var stroke = new SKPaint { Color = color, StrokeWidth = 2.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
            using var fill = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };
            var ordered = series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!logX || p.X > 0)).OrderBy(p => p.X).ToList();
            if (lines && ordered.Count > 1)
            {
                for (var i = 1; i < ordered.Count; i++)
                {
                    canvas.DrawLine(Px(ordered[i - 1].X), Py(ordered[i - 1].Y), Px(ordered[i].X), Py(ordered[i].Y), stroke);
                }
            }

            foreach (var p in ordered)
            {
                canvas.DrawCircle(Px(p.X), Py(p.Y), 4, fill);
            }

            Legend(canvas, s, series[s].Name, color);
        }

        Save(surface, path);
    }

    /// <summary>Writes horizontal stacked bars of shares (0–1), one bar per category.</summary>
    public static void StackedShares(string path, string title, IReadOnlyList<(string Category, IReadOnlyDictionary<string, double> Shares)> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        using var surface = SKSurface.Create(new SKImageInfo(Width, Math.Max(Height, 120 + (bars.Count * 36))));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        DrawTitle(canvas, title);
        var stages = bars.SelectMany(b => b.Shares.Keys).Distinct().ToList();
        const float barLeft = 230;
        var barWidth = Width - barLeft - Right;
        for (var i = 0; i < bars.Count; i++)
        {
            var y = Top + 20 + (i * 36);
            Text(canvas, bars[i].Category, barLeft - 8, y + 18, 12, SKTextAlign.Right);
            var x = barLeft;
            foreach (var stage in stages)
            {
                var share = bars[i].Shares.TryGetValue(stage, out var v) ? v : 0;
                using var fill = new SKPaint { Color = s_palette[stages.IndexOf(stage) % s_palette.Length], Style = SKPaintStyle.Fill };
                canvas.DrawRect(x, y, (float)(share * barWidth), 26, fill);
                x += (float)(share * barWidth);
            }
        }

        for (var s = 0; s < stages.Count; s++)
        {
            Legend(canvas, s, stages[s], s_palette[s % s_palette.Length]);
        }

        Save(surface, path);
    }

    private static void Axes(SKCanvas canvas, string xLabel, string yLabel)
    {
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.5f, IsAntialias = true };
        canvas.DrawLine(Left, Height - Bottom, Width - Right, Height - Bottom, axis);
        canvas.DrawLine(Left, Top, Left, Height - Bottom, axis);
        Text(canvas, xLabel, Left + ((Width - Left - Right) / 2), Height - 20, 14, SKTextAlign.Center);
        canvas.Save();
        canvas.RotateDegrees(-90, 22, Height / 2f);
        Text(canvas, yLabel, 22, Height / 2f, 14, SKTextAlign.Center);
        canvas.Restore();
    }

    private static void Legend(SKCanvas canvas, int index, string name, SKColor color)
    {
        var y = Top + 10 + (index * 20);
        using var fill = new SKPaint { Color = color, Style = SKPaintStyle.Fill };
        canvas.DrawRect(Width - Right + 14, y - 10, 14, 12, fill);
        Text(canvas, name.Length > 30 ? name[..29] + "…" : name, Width - Right + 34, y, 12, SKTextAlign.Left);
    }

    private static void DrawTitle(SKCanvas canvas, string title) => Text(canvas, title, Width / 2f, 30, 18, SKTextAlign.Center);

    private static void Text(SKCanvas canvas, string text, float x, float y, float size, SKTextAlign align)
    {
        if (s_typeface.Value is not { } typeface)
        {
            return;
        }

        using var font = new SKFont(typeface, size);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(text, x, y, align, font, paint);
    }

    private static void Save(SKSurface surface, string path)
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }

    private static string Format(double value) =>
        Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 10 ? value.ToString("0.#", CultureInfo.InvariantCulture)
        : value.ToString("0.###", CultureInfo.InvariantCulture);
}
