using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace BenchDaemon.Workloads.Inputs;

/// <summary>
/// The image half of a classification serving stack: decode a compressed image (JPEG, or any
/// format Skia reads), resize its shorter side, centre-crop a square and write it as
/// normalised float planes, R then G then B (NCHW for one sample), each value
/// <c>(pixel / 255 − mean) / std</c>.
/// </summary>
/// <remarks>
/// Built for a timed loop: working buffers grow to the largest image seen and are then reused,
/// so after the first call of a given size a call allocates only a few small managed wrappers.
/// One instance is therefore not thread-safe; use one per thread.
/// Output is deterministic for a given SkiaSharp version and CPU, but Skia picks SIMD code by
/// CPU, so a resized pixel may differ by one level between machines.
/// </remarks>
public sealed class ImagePreprocessor
{
    /// <summary>Output channels: R, G, B.</summary>
    public const int Channels = 3;

    // Skia's raster pipeline has no packed 3-byte format; RGBA with opaque alpha skips premultiplication.
    private const int BytesPerPixel = 4;
    private const SKColorType PixelFormat = SKColorType.Rgba8888;

    private readonly SKSamplingOptions _sampling;
    private readonly int _target;
    private readonly int _shorterSide;

    // (p / 255 − mean) / std for every byte value p, per channel: exact to float rounding and
    // cheaper than arithmetic per pixel.
    private readonly float[] _lookup = new float[Channels * 256];
    private readonly byte[] _crop;

    // Pinned (pinned object heap) because Skia reads and writes them through raw addresses.
    private byte[] _encoded = [];
    private byte[] _decoded = [];
    private byte[] _resized = [];

    /// <summary>Creates a preprocessor; <paramref name="options"/> defaults to the ImageNet transform.</summary>
    /// <exception cref="OptionsValidationException">The options are out of range.</exception>
    public ImagePreprocessor(ImagePreprocessorOptions? options = null)
    {
        Options = options ?? new ImagePreprocessorOptions();
        var validation = new ImagePreprocessorOptionsValidator().Validate(name: null, Options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(ImagePreprocessorOptions), typeof(ImagePreprocessorOptions), validation.Failures);
        }

        _target = Options.TargetSize;
        _shorterSide = Options.ResizeShorterSide;
        _sampling = Options.Filter == ResizeFilter.Nearest
            ? new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None)
            : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None);
        _crop = new byte[_target * _target * BytesPerPixel];
        for (var c = 0; c < Channels; c++)
        {
            double mean = Options.Mean[c];
            double std = Options.Std[c];
            for (var p = 0; p < 256; p++)
            {
                _lookup[(c * 256) + p] = (float)(((p / 255.0) - mean) / std);
            }
        }
    }

    /// <summary>The settings in force.</summary>
    public ImagePreprocessorOptions Options { get; }

    /// <summary>Floats written per sample: 3 × <c>TargetSize</c> × <c>TargetSize</c>.</summary>
    public int OutputLength => Channels * _target * _target;

    /// <summary>Preprocesses one image into <paramref name="destinationNchw"/> (at least <see cref="OutputLength"/> floats).</summary>
    /// <exception cref="ArgumentException">The destination is too short or the image is empty.</exception>
    /// <exception cref="InvalidDataException">The bytes are not an image Skia can decode.</exception>
    public void Process(ReadOnlySpan<byte> jpeg, Span<float> destinationNchw) => Process(jpeg, destinationNchw, out _);

    /// <summary>As <see cref="Process(ReadOnlySpan{byte}, Span{float})"/>, and reports how long each stage took.</summary>
    /// <exception cref="ArgumentException">The destination is too short or the image is empty.</exception>
    /// <exception cref="InvalidDataException">The bytes are not an image Skia can decode.</exception>
    public void Process(ReadOnlySpan<byte> jpeg, Span<float> destinationNchw, out PreprocessTimings timings)
    {
        if (jpeg.IsEmpty)
        {
            throw new ArgumentException("the image is empty", nameof(jpeg));
        }

        if (destinationNchw.Length < OutputLength)
        {
            throw new ArgumentException($"the destination holds {destinationNchw.Length} floats; one sample needs {OutputLength}", nameof(destinationNchw));
        }

        var t0 = Stopwatch.GetTimestamp();
        var (width, height) = Decode(jpeg);
        var t1 = Stopwatch.GetTimestamp();
        var (resizedWidth, resizedHeight) = Resize(width, height);
        var t2 = Stopwatch.GetTimestamp();
        CenterCrop(resizedWidth, resizedHeight);
        var t3 = Stopwatch.GetTimestamp();
        NormalizeToPlanes(destinationNchw);
        var t4 = Stopwatch.GetTimestamp();
        timings = new PreprocessTimings(
            Stopwatch.GetElapsedTime(t0, t1),
            Stopwatch.GetElapsedTime(t1, t2),
            Stopwatch.GetElapsedTime(t2, t3),
            Stopwatch.GetElapsedTime(t3, t4));
    }

    /// <summary>
    /// Size after resizing the shorter side to <paramref name="shorterSide"/>, as torchvision's
    /// <c>Resize(int)</c>: the longer side is <c>int(shorterSide * long / short)</c>, truncated.
    /// </summary>
    internal static (int Width, int Height) ResizedSize(int width, int height, int shorterSide)
    {
        if (width <= height)
        {
            return (shorterSide, (int)((long)shorterSide * height / width));
        }

        return ((int)((long)shorterSide * width / height), shorterSide);
    }

    /// <summary>
    /// Top-left corner of the centred <paramref name="size"/> square, as torchvision's
    /// <c>CenterCrop</c>: <c>int(round((side − size) / 2))</c>, where Python rounds halves to even
    /// (so does <see cref="Math.Round(double)"/>).
    /// </summary>
    internal static (int Left, int Top) CropOrigin(int width, int height, int size) =>
        ((int)Math.Round((width - size) / 2.0), (int)Math.Round((height - size) / 2.0));

    private (int Width, int Height) Decode(ReadOnlySpan<byte> encoded)
    {
        // Skia needs the bytes at a fixed address and the API takes no span without unsafe code;
        // one copy into a reused pinned buffer is a memcpy next to the entropy decoding.
        EnsureCapacity(ref _encoded, encoded.Length);
        encoded.CopyTo(_encoded);
        using var data = SKData.Create(Address(_encoded), encoded.Length);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException($"{encoded.Length} bytes are not an image format Skia can decode");
        var width = codec.Info.Width;
        var height = codec.Info.Height;
        var bytes = (long)width * height * BytesPerPixel;
        if (width <= 0 || height <= 0 || bytes > Array.MaxLength)
        {
            throw new InvalidDataException($"image of {width}×{height} pixels is empty or too large to decode");
        }

        EnsureCapacity(ref _decoded, (int)bytes);

        // No colour space on the destination: pixels stay as encoded (no ICC conversion),
        // as PIL and torchvision leave them.
        var info = new SKImageInfo(width, height, PixelFormat, SKAlphaType.Opaque);
        var result = codec.GetPixels(info, Address(_decoded));
        if (result != SKCodecResult.Success)
        {
            throw new InvalidDataException($"decoding the {width}×{height} {codec.EncodedFormat} image failed: {result}");
        }

        return (width, height);
    }

    private (int Width, int Height) Resize(int width, int height)
    {
        var (resizedWidth, resizedHeight) = ResizedSize(width, height, _shorterSide);
        var bytes = (long)resizedWidth * resizedHeight * BytesPerPixel;
        if (bytes > Array.MaxLength)
        {
            throw new InvalidDataException($"a {width}×{height} image resized to {resizedWidth}×{resizedHeight} is too large");
        }

        EnsureCapacity(ref _resized, (int)bytes);
        using var source = new SKPixmap(new SKImageInfo(width, height, PixelFormat, SKAlphaType.Opaque), Address(_decoded), width * BytesPerPixel);
        using var destination = new SKPixmap(new SKImageInfo(resizedWidth, resizedHeight, PixelFormat, SKAlphaType.Opaque), Address(_resized), resizedWidth * BytesPerPixel);
        if (!source.ScalePixels(destination, _sampling))
        {
            throw new InvalidOperationException($"Skia could not resize {width}×{height} to {resizedWidth}×{resizedHeight}");
        }

        return (resizedWidth, resizedHeight);
    }

    private void CenterCrop(int width, int height)
    {
        var (left, top) = CropOrigin(width, height, _target);
        var rowBytes = _target * BytesPerPixel;
        ReadOnlySpan<byte> resized = _resized;
        Span<byte> crop = _crop;
        for (var y = 0; y < _target; y++)
        {
            resized.Slice((((top + y) * width) + left) * BytesPerPixel, rowBytes).CopyTo(crop.Slice(y * rowBytes, rowBytes));
        }
    }

    private void NormalizeToPlanes(Span<float> destination)
    {
        var plane = _target * _target;
        var red = destination[..plane];
        var green = destination.Slice(plane, plane);
        var blue = destination.Slice(2 * plane, plane);
        ReadOnlySpan<float> lookup = _lookup;
        var redLookup = lookup[..256];
        var greenLookup = lookup.Slice(256, 256);
        var blueLookup = lookup.Slice(512, 256);
        ReadOnlySpan<byte> crop = _crop;
        for (var i = 0; i < plane; i++)
        {
            var pixel = crop.Slice(i * BytesPerPixel, BytesPerPixel);
            red[i] = redLookup[pixel[0]];
            green[i] = greenLookup[pixel[1]];
            blue[i] = blueLookup[pixel[2]];
        }
    }

    private static void EnsureCapacity(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        }
    }

    // Valid for as long as the array lives: it was allocated pinned.
    private static IntPtr Address(byte[] pinned) => Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0);
}
