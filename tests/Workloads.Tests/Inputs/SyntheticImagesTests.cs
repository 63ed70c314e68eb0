using BenchDaemon.Workloads.Inputs;
using SkiaSharp;

namespace BenchDaemon.Workloads.Tests.Inputs;

public sealed class SyntheticImagesTests
{
    [Theory]
    [InlineData(ImageSizeClass.Small, 60, 70)]
    [InlineData(ImageSizeClass.Medium, 500, 375)]
    [InlineData(ImageSizeClass.Large, 3500, 2900)]
    public void Jpeg_SizeClass_DecodesToDocumentedSize(ImageSizeClass sizeClass, int width, int height)
    {
        var jpeg = SyntheticImages.Jpeg(sizeClass);

        using var data = SKData.CreateCopy(jpeg);
        using var codec = SKCodec.Create(data);
        Assert.NotNull(codec);
        Assert.Equal(SKEncodedImageFormat.Jpeg, codec.EncodedFormat);
        Assert.Equal((width, height), (codec.Info.Width, codec.Info.Height));
        Assert.Equal((width, height), SyntheticImages.Dimensions(sizeClass));
    }

    [Fact]
    public void Jpeg_SameSeed_SameBytes_OtherSeed_OtherBytes()
    {
        var first = SyntheticImages.Jpeg(ImageSizeClass.Medium, seed: 7);
        var again = SyntheticImages.Jpeg(ImageSizeClass.Medium, seed: 7);
        var other = SyntheticImages.Jpeg(ImageSizeClass.Medium, seed: 8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Jpeg_Medium_IsNotTriviallyCompressible()
    {
        // A flat or purely smooth 500×375 image compresses to a few kilobytes at quality 90;
        // texture that makes the decoder work shows as well over one bit per pixel.
        var jpeg = SyntheticImages.Jpeg(ImageSizeClass.Medium);
        var bitsPerPixel = jpeg.Length * 8.0 / (500 * 375);

        Assert.True(bitsPerPixel > 1.0, $"{jpeg.Length} bytes = {bitsPerPixel:F2} bits per pixel");
    }

    [Fact]
    public void Pixels_ContainShapesAndNoise_NotOnlyGradients()
    {
        var pixels = SyntheticImages.Pixels(200, 150, SyntheticImages.DefaultSeed);

        // Neighbouring pixels differ (noise) and many colours occur (gradients and shapes).
        var colours = new HashSet<int>();
        var differingNeighbours = 0;
        for (var i = 0; i < pixels.Length; i += 4)
        {
            colours.Add(pixels[i] | (pixels[i + 1] << 8) | (pixels[i + 2] << 16));
            if (i >= 4 && pixels[i] != pixels[i - 4])
            {
                differingNeighbours++;
            }

            Assert.Equal(255, pixels[i + 3]);
        }

        Assert.True(colours.Count > 10_000, $"{colours.Count} distinct colours");
        Assert.True(differingNeighbours > pixels.Length / 4 / 2, $"{differingNeighbours} neighbours differ");
    }

    [Fact]
    public void Jpeg_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticImages.Jpeg(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticImages.Jpeg(10, 10, quality: 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticImages.Dimensions((ImageSizeClass)42));
    }
}
