using System.Runtime.InteropServices;
using BenchDaemon.Workloads.Models;
using SkiaSharp;

namespace BenchDaemon.Workloads.Inputs;

/// <summary>
/// Deterministic JPEG images for image canaries: smooth gradients, overlapping shapes with hard
/// edges and stripes, and per-pixel noise, so that entropy decoding and the inverse DCT do the
/// work a photograph gives them (a flat image would decode almost for free).
/// </summary>
/// <remarks>
/// The pixels are a pure function of the size and seed: integer arithmetic and
/// <see cref="SplitMix64"/>, no <see cref="Random"/>, no floating point, no Skia drawing (whose
/// SIMD code differs by CPU). The JPEG bytes are then Skia's encoder (libjpeg-turbo) output:
/// the same for the same seed within one SkiaSharp version, but a SkiaSharp or libjpeg-turbo
/// update may change them (and with them the decode time), so compare canary timings across
/// such an update with that in mind.
/// </remarks>
public static class SyntheticImages
{
    /// <summary>JPEG quality used unless another is asked for: a common camera/web setting.</summary>
    public const int DefaultQuality = 90;

    /// <summary>Seed used unless another is asked for.</summary>
    public const ulong DefaultSeed = 0x1A6E_5EED;

    private const int BytesPerPixel = 4;

    // Noise is uniform in [-8, 7] levels per channel: sensor-like grain that defeats flat blocks.
    private const int NoiseBits = 4;
    private const int NoiseOffset = 1 << (NoiseBits - 1);

    /// <summary>Width and height of a size class.</summary>
    public static (int Width, int Height) Dimensions(ImageSizeClass sizeClass) => sizeClass switch
    {
        ImageSizeClass.Small => (60, 70),
        ImageSizeClass.Medium => (500, 375),
        ImageSizeClass.Large => (3500, 2900),
        _ => throw new ArgumentOutOfRangeException(nameof(sizeClass), sizeClass, "unknown image size class"),
    };

    /// <summary>A JPEG of the size class <paramref name="sizeClass"/>.</summary>
    public static byte[] Jpeg(ImageSizeClass sizeClass, ulong seed = DefaultSeed, int quality = DefaultQuality)
    {
        var (width, height) = Dimensions(sizeClass);
        return Jpeg(width, height, seed, quality);
    }

    /// <summary>A JPEG of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static byte[] Jpeg(int width, int height, ulong seed = DefaultSeed, int quality = DefaultQuality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)width * height * BytesPerPixel, Array.MaxLength, nameof(width));
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        return EncodeJpeg(Pixels(width, height, seed), width, height, quality, subsampleChroma: true);
    }

    /// <summary>The RGBA pixels (alpha 255) behind <see cref="Jpeg(int, int, ulong, int)"/>.</summary>
    internal static byte[] Pixels(int width, int height, ulong seed)
    {
        var rgba = new byte[width * height * BytesPerPixel];
        var random = new SplitMix64(seed);
        FillGradients(rgba, width, height, random);
        DrawShapes(rgba, width, height, random);
        AddNoise(rgba, random);
        return rgba;
    }

    /// <summary>
    /// Encodes opaque RGBA pixels as a baseline JPEG. 4:2:0 chroma subsampling is what cameras
    /// and the web use; 4:4:4 keeps sharp colour edges (tests use it to locate edges exactly).
    /// </summary>
    internal static byte[] EncodeJpeg(byte[] rgba, int width, int height, int quality, bool subsampleChroma)
    {
        ArgumentNullException.ThrowIfNull(rgba);
        ArgumentOutOfRangeException.ThrowIfLessThan(rgba.LongLength, (long)width * height * BytesPerPixel, nameof(rgba));
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), width * BytesPerPixel);
            var options = new SKJpegEncoderOptions(
                quality,
                subsampleChroma ? SKJpegEncoderDownsample.Downsample420 : SKJpegEncoderDownsample.Downsample444,
                SKJpegEncoderAlphaOption.Ignore);
            using var data = pixmap.Encode(options)
                ?? throw new InvalidOperationException($"Skia could not encode a {width}×{height} JPEG");
            return data.ToArray();
        }
        finally
        {
            handle.Free();
        }
    }

    // One triangle-wave period per channel across the image, at a seeded phase: R along x,
    // G along y, B along the diagonal.
    private static void FillGradients(Span<byte> rgba, int width, int height, SplitMix64 random)
    {
        var phaseR = (int)(random.NextUInt64() & 511);
        var phaseG = (int)(random.NextUInt64() & 511);
        var phaseB = (int)(random.NextUInt64() & 511);
        for (var y = 0; y < height; y++)
        {
            var g = Triangle((int)(((long)y * 512 / height) + phaseG));
            var row = rgba.Slice(y * width * BytesPerPixel, width * BytesPerPixel);
            for (var x = 0; x < width; x++)
            {
                var pixel = row.Slice(x * BytesPerPixel, BytesPerPixel);
                pixel[0] = Triangle((int)(((long)x * 512 / width) + phaseR));
                pixel[1] = g;
                pixel[2] = Triangle((int)(((long)(x + y) * 512 / (width + height)) + phaseB));
                pixel[3] = 255;
            }
        }
    }

    private static byte Triangle(int value)
    {
        value &= 511;
        return (byte)(value < 256 ? value : 511 - value);
    }

    // Circles, rings, rectangles and striped rectangles in seeded colours, blended at a seeded
    // opacity. More shapes on larger images (about one per quarter megapixel) keep the detail
    // density comparable.
    private static void DrawShapes(Span<byte> rgba, int width, int height, SplitMix64 random)
    {
        var count = 12 + (int)((long)width * height / 250_000);
        var minSide = Math.Min(width, height);
        for (var s = 0; s < count; s++)
        {
            var kind = (int)(random.NextUInt64() % 4);
            var cx = (int)(random.NextUInt64() % (ulong)width);
            var cy = (int)(random.NextUInt64() % (ulong)height);
            var radius = 1 + (minSide / 40) + (int)(random.NextUInt64() % (ulong)((minSide / 5) + 1));
            var aspect = 1 + (int)(random.NextUInt64() % 3);
            var color = random.NextUInt64();
            var r = (byte)color;
            var g = (byte)(color >> 8);
            var b = (byte)(color >> 16);
            var alpha = 128 + (int)((color >> 24) & 127);
            var stripe = 2 + (int)((color >> 32) % 12);
            var halfWidth = kind >= 2 ? radius * aspect : radius;
            var x0 = Math.Max(0, cx - halfWidth);
            var x1 = Math.Min(width - 1, cx + halfWidth);
            var y0 = Math.Max(0, cy - radius);
            var y1 = Math.Min(height - 1, cy + radius);
            var outer = (long)radius * radius;
            var inner = (long)(radius * 2 / 3) * (radius * 2 / 3);
            for (var y = y0; y <= y1; y++)
            {
                var dy = (long)(y - cy);
                var row = rgba.Slice(y * width * BytesPerPixel, width * BytesPerPixel);
                for (var x = x0; x <= x1; x++)
                {
                    var dx = (long)(x - cx);
                    var d2 = (dx * dx) + (dy * dy);
                    var inside = kind switch
                    {
                        0 => d2 <= outer,
                        1 => d2 <= outer && d2 >= inner,
                        2 => true,
                        _ => (x + y) / stripe % 2 == 0,
                    };
                    if (inside)
                    {
                        var pixel = row.Slice(x * BytesPerPixel, BytesPerPixel);
                        pixel[0] = Blend(pixel[0], r, alpha);
                        pixel[1] = Blend(pixel[1], g, alpha);
                        pixel[2] = Blend(pixel[2], b, alpha);
                    }
                }
            }
        }
    }

    private static byte Blend(byte under, byte over, int alpha) => (byte)(((under * (256 - alpha)) + (over * alpha)) >> 8);

    private static void AddNoise(Span<byte> rgba, SplitMix64 random)
    {
        const int mask = (1 << NoiseBits) - 1;
        for (var i = 0; i < rgba.Length; i += BytesPerPixel)
        {
            var bits = random.NextUInt64();
            for (var c = 0; c < 3; c++)
            {
                var noise = (int)((bits >> (c * NoiseBits)) & mask) - NoiseOffset;
                rgba[i + c] = (byte)Math.Clamp(rgba[i + c] + noise, 0, 255);
            }
        }
    }
}
