namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>
/// A weight as integers with one scale and zero point per channel along <see cref="Axis"/>,
/// or a single pair when <see cref="Axis"/> is <see cref="PerTensor"/>.
/// </summary>
internal sealed record QuantizedWeight(int[] Values, float[] Scales, int[] ZeroPoints, int Axis)
{
    /// <summary>The <see cref="Axis"/> of a weight quantized with one scale for the whole tensor.</summary>
    public const int PerTensor = -1;
}
