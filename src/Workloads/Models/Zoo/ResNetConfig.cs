namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>
/// Shape of a bottleneck ResNet built by <see cref="ResNetModel"/>: the number of bottleneck
/// blocks in each stage, the stem width (stage <c>i</c> has <c>BaseWidth · 2^i</c> inner
/// channels and four times that many outputs), the square input size and the number of classes.
/// </summary>
/// <param name="Name">Model name written to the model's metadata, for example <c>resnet50</c>.</param>
/// <param name="Blocks">Bottleneck blocks per stage; torchvision's ResNet-50 has <c>[3, 4, 6, 3]</c>.</param>
/// <param name="BaseWidth">Channels of the stem convolution and of the first stage's 3×3 convolutions (64 in torchvision).</param>
/// <param name="ImageSize">Height and width of the input image, in pixels.</param>
/// <param name="Classes">Width of the final fully connected layer.</param>
/// <remarks>
/// <see cref="Blocks"/> is an array, so two configs compare equal only when they share the
/// same array instance. <see cref="ResNet50"/> and <see cref="Mini"/> return a new instance
/// on every call, so changing one caller's array cannot change another's model.
/// </remarks>
public sealed record ResNetConfig(string Name, int[] Blocks, int BaseWidth, int ImageSize, int Classes)
{
    /// <summary>
    /// torchvision's <c>resnet50</c> (v1.5) at 224×224 with 1000 ImageNet classes:
    /// 25,557,032 parameters.
    /// </summary>
    public static ResNetConfig ResNet50 => new("resnet50", [3, 4, 6, 3], 64, 224, 1000);

    /// <summary>
    /// The same four-stage bottleneck structure with one block per stage, 8 stem channels,
    /// 32×32 inputs and 10 classes: small enough to build and run in a unit test.
    /// </summary>
    public static ResNetConfig Mini => new("resnet-mini", [1, 1, 1, 1], 8, 32, 10);
}
