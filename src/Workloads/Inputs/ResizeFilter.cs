namespace BenchDaemon.Workloads.Inputs;

/// <summary>How <see cref="ImagePreprocessor"/> samples when it resizes.</summary>
public enum ResizeFilter
{
    /// <summary>Nearest neighbour.</summary>
    Nearest,

    /// <summary>
    /// Bilinear (Skia's <c>SKFilterMode.Linear</c>, no mipmaps): 2×2 taps at half-pixel centres, as
    /// OpenCV's <c>INTER_LINEAR</c>. Without antialiasing, so a large downscale differs from
    /// PIL's or torchvision's antialiased bilinear.
    /// </summary>
    Linear,
}
