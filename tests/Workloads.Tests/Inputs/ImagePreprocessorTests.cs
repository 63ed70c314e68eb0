using BenchDaemon.Workloads.Inputs;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Tests.Inputs;

public sealed class ImagePreprocessorTests
{
    private const int Size = ImagePreprocessorOptions.DefaultTargetSize;
    private const int Plane = Size * Size;

    private static readonly float[] s_mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] s_std = [0.229f, 0.224f, 0.225f];

    [Fact]
    public void Process_SolidColour_EachPlaneHoldsItsChannelNormalized()
    {
        var jpeg = SyntheticImages.EncodeJpeg(Solid(300, 260, 200, 100, 50), 300, 260, quality: 90, subsampleChroma: true);
        var output = new float[3 * Plane];

        new ImagePreprocessor().Process(jpeg, output);

        // A flat colour survives JPEG within one level; planes are R, G, B in that order.
        byte[] expected = [200, 100, 50];
        for (var c = 0; c < 3; c++)
        {
            var value = Normalized(c, expected[c]);
            var tolerance = (1f / 255 / s_std[c]) + 1e-5f;
            var plane = output.AsSpan(c * Plane, Plane);
            for (var i = 0; i < Plane; i++)
            {
                Assert.True(Math.Abs(plane[i] - value) <= tolerance, $"channel {c} index {i}: {plane[i]} vs {value}");
            }
        }
    }

    [Fact]
    public void Process_WideImage_CropTakesTheCentreInRowMajorPlanes()
    {
        // 900×300: red left of x = 400, blue right of it; green 0 above y = 100, 160 below.
        // Resizing to 768×256 (half-pixel centres) puts the colour edge at x = 400 between resized
        // columns 400 × 768 / 900 − 0.5 = 340.8, and the one at y = 100 at row 84.8; the centre
        // crop starts at (272, 16), so both edges land at 68.8 in the crop. A crop at the left,
        // right, top or bottom would put them elsewhere or nowhere.
        const int width = 900;
        const int height = 300;
        var rgba = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = ((y * width) + x) * 4;
                rgba[p] = (byte)(x < 400 ? 220 : 30);
                rgba[p + 1] = (byte)(y < 100 ? 0 : 160);
                rgba[p + 2] = (byte)(x < 400 ? 30 : 220);
                rgba[p + 3] = 255;
            }
        }

        // 4:4:4 at quality 100 keeps the colour edges sharp to within a pixel or two.
        var jpeg = SyntheticImages.EncodeJpeg(rgba, width, height, quality: 100, subsampleChroma: false);
        var output = new float[3 * Plane];

        new ImagePreprocessor().Process(jpeg, output);

        const int before = 66;
        const int after = 71;
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var i = (y * Size) + x;
                if (x <= before || x >= after)
                {
                    AssertNear(0, x <= before ? 220 : 30, output[i], $"R at ({x}, {y})");
                    AssertNear(2, x <= before ? 30 : 220, output[(2 * Plane) + i], $"B at ({x}, {y})");
                }

                if (y <= before || y >= after)
                {
                    AssertNear(1, y <= before ? 0 : 160, output[Plane + i], $"G at ({x}, {y})");
                }
            }
        }

        // The edge itself: the red plane crosses mid-way between the colours at column 68 or 69.
        var middle = (Normalized(0, 220) + Normalized(0, 30)) / 2;
        var row = output.AsSpan(100 * Size, Size);
        var edge = FirstBelow(row, middle);
        Assert.InRange(edge, 68, 69);
    }

    [Fact]
    public void Process_AfterWarmUp_AllocatesNoLargeBuffers()
    {
        var jpeg = SyntheticImages.Jpeg(ImageSizeClass.Medium);
        var preprocessor = new ImagePreprocessor();
        var output = new float[preprocessor.OutputLength];
        for (var i = 0; i < 3; i++)
        {
            preprocessor.Process(jpeg, output);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            preprocessor.Process(jpeg, output, out _);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // One Medium image decodes into 750 kB of pixels; 20 calls stay below 64 kB in all.
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated over 20 calls");
    }

    [Theory]
    [InlineData(ImageSizeClass.Small)]
    [InlineData(ImageSizeClass.Medium)]
    [InlineData(ImageSizeClass.Large)]
    public void Process_SyntheticImage_FillsOutputWithinNormalizedRangeAndTimesEachStage(ImageSizeClass sizeClass)
    {
        var jpeg = SyntheticImages.Jpeg(sizeClass);
        var preprocessor = new ImagePreprocessor();
        var output = new float[preprocessor.OutputLength + 1];
        output[^1] = float.NaN;

        preprocessor.Process(jpeg, output, out var timings);

        for (var c = 0; c < 3; c++)
        {
            var plane = output.AsSpan(c * Plane, Plane);
            var low = Normalized(c, 0);
            var high = Normalized(c, 255);
            Assert.All(plane.ToArray(), v => Assert.InRange(v, low, high));
            Assert.True(plane.ToArray().Distinct().Count() > 100, $"channel {c} is nearly constant");
        }

        Assert.True(float.IsNaN(output[^1]), "wrote past one sample");
        Assert.True(timings.Decode > TimeSpan.Zero);
        Assert.True(timings.Resize > TimeSpan.Zero);
        Assert.True(timings.Crop > TimeSpan.Zero);
        Assert.True(timings.Normalize > TimeSpan.Zero);
        Assert.Equal(timings.Decode + timings.Resize + timings.Crop + timings.Normalize, timings.Total);
    }

    [Fact]
    public void Process_SmallerThenLargerImage_ReusesThePreprocessor()
    {
        var preprocessor = new ImagePreprocessor();
        var small = new float[preprocessor.OutputLength];
        var large = new float[preprocessor.OutputLength];
        var smallAgain = new float[preprocessor.OutputLength];
        var smallJpeg = SyntheticImages.Jpeg(ImageSizeClass.Small);

        preprocessor.Process(smallJpeg, small);
        preprocessor.Process(SyntheticImages.Jpeg(ImageSizeClass.Medium), large);
        preprocessor.Process(smallJpeg, smallAgain);

        Assert.Equal(small, smallAgain);
        Assert.NotEqual(small, large);
    }

    [Theory]
    [InlineData(500, 375, 341, 256, 58, 16)] // Python: int(256 * 500 / 375) = 341; round(58.5) = 58
    [InlineData(60, 70, 256, 298, 16, 37)]
    [InlineData(3500, 2900, 308, 256, 42, 16)]
    [InlineData(256, 256, 256, 256, 16, 16)]
    public void ResizedSizeAndCropOrigin_MatchTorchvision(int width, int height, int resizedWidth, int resizedHeight, int left, int top)
    {
        Assert.Equal((resizedWidth, resizedHeight), ImagePreprocessor.ResizedSize(width, height, 256));
        Assert.Equal((left, top), ImagePreprocessor.CropOrigin(resizedWidth, resizedHeight, Size));
    }

    [Fact]
    public void Process_BadArguments_Throw()
    {
        var preprocessor = new ImagePreprocessor();
        var jpeg = SyntheticImages.Jpeg(ImageSizeClass.Small);

        Assert.Throws<ArgumentException>(() => preprocessor.Process(jpeg, new float[preprocessor.OutputLength - 1]));
        Assert.Throws<ArgumentException>(() => preprocessor.Process([], new float[preprocessor.OutputLength]));
        Assert.Throws<InvalidDataException>(() => preprocessor.Process("not an image"u8, new float[preprocessor.OutputLength]));
        Assert.Throws<InvalidDataException>(() => preprocessor.Process(jpeg.AsSpan(0, 40), new float[preprocessor.OutputLength]));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        Assert.Throws<OptionsValidationException>(() => new ImagePreprocessor(new ImagePreprocessorOptions { TargetSize = 300 }));
        Assert.Throws<OptionsValidationException>(() => new ImagePreprocessor(new ImagePreprocessorOptions { TargetSize = 0 }));
        Assert.Throws<OptionsValidationException>(() => new ImagePreprocessor(new ImagePreprocessorOptions { Std = new(0.2f, 0f, 0.2f) }));
        Assert.Throws<OptionsValidationException>(() => new ImagePreprocessor(new ImagePreprocessorOptions { Filter = (ResizeFilter)9 }));
    }

    [Fact]
    public void Process_CustomOptions_ChangeSizeAndNormalization()
    {
        var options = new ImagePreprocessorOptions
        {
            TargetSize = 32,
            ResizeShorterSide = 40,
            Mean = new(0.5f, 0.5f, 0.5f),
            Std = new(0.5f, 0.5f, 0.5f),
            Filter = ResizeFilter.Nearest,
        };
        var jpeg = SyntheticImages.EncodeJpeg(Solid(64, 64, 255, 255, 255), 64, 64, quality: 95, subsampleChroma: true);
        var preprocessor = new ImagePreprocessor(options);
        var output = new float[preprocessor.OutputLength];

        preprocessor.Process(jpeg, output);

        Assert.Equal(3 * 32 * 32, preprocessor.OutputLength);
        Assert.All(output, v => Assert.InRange(v, 1f - (2f / 255 / 0.5f), 1f));
    }

    private static byte[] Solid(int width, int height, byte r, byte g, byte b)
    {
        var rgba = new byte[width * height * 4];
        for (var i = 0; i < rgba.Length; i += 4)
        {
            rgba[i] = r;
            rgba[i + 1] = g;
            rgba[i + 2] = b;
            rgba[i + 3] = 255;
        }

        return rgba;
    }

    private static float Normalized(int channel, int value) => ((value / 255f) - s_mean[channel]) / s_std[channel];

    private static void AssertNear(int channel, int expected, float actual, string where)
    {
        // JPEG at quality 100 rings by a few levels next to an edge.
        var tolerance = 4f / 255 / s_std[channel];
        var value = Normalized(channel, expected);
        Assert.True(Math.Abs(actual - value) <= tolerance, $"{where}: {actual} vs {value} (level {expected})");
    }

    private static int FirstBelow(ReadOnlySpan<float> values, float threshold)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] < threshold)
            {
                return i;
            }
        }

        return -1;
    }
}
