namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>How <see cref="QdqQuantizer"/> turns the activations seen during calibration into a range.</summary>
public enum CalibrationMethod
{
    /// <summary>
    /// The smallest and largest value seen, as onnxruntime.quantization's <c>CalibrationMethod.MinMax</c>
    /// (its default). Every value is representable; one outlier widens the step for all.
    /// </summary>
    MinMax,

    /// <summary>
    /// Drops the <c>(100 − <see cref="QuantizationOptions.Percentile"/>) / 2</c> per cent most extreme
    /// values at each end and takes the next ones (exact order statistics over all batches), so a
    /// rare outlier is clipped instead of coarsening the step for every other value.
    /// </summary>
    Percentile,
}
