namespace BenchDaemon.Workloads.Inputs;

/// <summary>Wall-clock time of each stage of one <see cref="ImagePreprocessor.Process(ReadOnlySpan{byte}, Span{float}, out PreprocessTimings)"/> call.</summary>
/// <param name="Decode">Compressed bytes to RGBA pixels at full size.</param>
/// <param name="Resize">Shorter side to <see cref="ImagePreprocessorOptions.ResizeShorterSide"/>.</param>
/// <param name="Crop">Centre square of <see cref="ImagePreprocessorOptions.TargetSize"/> copied out.</param>
/// <param name="Normalize">Scale, mean/std normalisation and the interleaved-to-planar (NCHW) layout.</param>
public readonly record struct PreprocessTimings(TimeSpan Decode, TimeSpan Resize, TimeSpan Crop, TimeSpan Normalize)
{
    /// <summary>All four stages together.</summary>
    public TimeSpan Total => Decode + Resize + Crop + Normalize;

    /// <summary>Stage-wise sum, for accumulating over a loop.</summary>
    public static PreprocessTimings operator +(PreprocessTimings left, PreprocessTimings right) =>
        new(left.Decode + right.Decode, left.Resize + right.Resize, left.Crop + right.Crop, left.Normalize + right.Normalize);

    /// <summary>Stage-wise sum, for accumulating over a loop.</summary>
    public static PreprocessTimings Add(PreprocessTimings left, PreprocessTimings right) => left + right;
}
