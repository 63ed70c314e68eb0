namespace BenchDaemon.Workloads.Inputs;

/// <summary>Sizes of <see cref="SyntheticImages"/>, chosen to cover the cases a serving stack meets.</summary>
public enum ImageSizeClass
{
    /// <summary>60×70: a thumbnail, smaller than the crop, so the resize upscales.</summary>
    Small,

    /// <summary>500×375: the typical ImageNet validation image.</summary>
    Medium,

    /// <summary>3500×2900: a 10-megapixel camera photo; decoding dominates.</summary>
    Large,
}
