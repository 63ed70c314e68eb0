using System.ComponentModel.DataAnnotations;

namespace BenchDaemon.Workloads.Inputs;

/// <summary>
/// Settings of <see cref="ImagePreprocessor"/>. The defaults are the ImageNet evaluation transform
/// of torchvision's classification references: <c>Resize(256)</c>, <c>CenterCrop(224)</c>,
/// <c>ToTensor()</c>, <c>Normalize(mean, std)</c>
/// (<see href="https://pytorch.org/vision/stable/models.html#classification"/>).
/// </summary>
public sealed record ImagePreprocessorOptions : IValidatableObject
{
    /// <summary>Default side of the square model input.</summary>
    public const int DefaultTargetSize = 224;

    /// <summary>Default length of the shorter side after resizing (224 / 0.875).</summary>
    public const int DefaultResizeShorterSide = 256;

    /// <summary>Largest side accepted for either size: far above any vision model's input.</summary>
    public const int MaxSize = 8192;

    /// <summary>Per-channel mean of ImageNet's training set, on the 0–1 scale.</summary>
    public static readonly RgbTriple ImageNetMean = new(0.485f, 0.456f, 0.406f);

    /// <summary>Per-channel standard deviation of ImageNet's training set, on the 0–1 scale.</summary>
    public static readonly RgbTriple ImageNetStd = new(0.229f, 0.224f, 0.225f);

    /// <summary>Side of the square output: the sample is 3 × <see cref="TargetSize"/> × <see cref="TargetSize"/>.</summary>
    [Range(1, MaxSize)]
    public int TargetSize { get; init; } = DefaultTargetSize;

    /// <summary>The shorter side is resized to this (aspect ratio kept); at least <see cref="TargetSize"/>.</summary>
    [Range(1, MaxSize)]
    public int ResizeShorterSide { get; init; } = DefaultResizeShorterSide;

    /// <summary>Subtracted from pixel / 255, per channel.</summary>
    public RgbTriple Mean { get; init; } = ImageNetMean;

    /// <summary>Divides (pixel / 255 − mean), per channel; each must be positive.</summary>
    public RgbTriple Std { get; init; } = ImageNetStd;

    /// <summary>Sampling used by the resize.</summary>
    [EnumDataType(typeof(ResizeFilter))]
    public ResizeFilter Filter { get; init; } = ResizeFilter.Linear;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ResizeShorterSide < TargetSize)
        {
            yield return new ValidationResult(
                $"ResizeShorterSide ({ResizeShorterSide}) must be at least TargetSize ({TargetSize}), or the centre crop would not fit",
                [nameof(ResizeShorterSide)]);
        }

        for (var c = 0; c < 3; c++)
        {
            if (!float.IsFinite(Mean[c]))
            {
                yield return new ValidationResult($"Mean channel {c} must be finite", [nameof(Mean)]);
            }

            if (!(Std[c] > 0) || !float.IsFinite(Std[c]))
            {
                yield return new ValidationResult($"Std channel {c} must be positive and finite", [nameof(Std)]);
            }
        }
    }
}
