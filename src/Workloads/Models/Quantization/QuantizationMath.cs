using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>
/// Scales, zero points and rounding as onnxruntime.quantization computes them
/// (<c>quant_utils.compute_scale_zp</c>, <c>quantize_data</c>, <c>quantize_bias_static</c>), so a
/// model quantized here matches one from <c>quantize_static</c> given the same ranges.
/// </summary>
internal static class QuantizationMath
{
    // numpy.finfo(float32).tiny: onnxruntime.quantization replaces a smaller scale (an all-zero range) by 1.
    private const float SmallestNormal = 1.17549435e-38f;

    /// <summary>
    /// The integer range of <paramref name="type"/>. Symmetric int8 leaves out −128 so that the
    /// range is ±127 and the zero point is exactly 0; <paramref name="reduceRange"/> keeps 7 bits
    /// (±64, or 0–127), as onnxruntime.quantization's <c>get_qmin_qmax_for_qType</c> does.
    /// </summary>
    public static (int Min, int Max) Limits(OnnxElementType type, bool symmetric, bool reduceRange = false) => (type, reduceRange) switch
    {
        (OnnxElementType.UInt8, false) => (0, 255),
        (OnnxElementType.UInt8, true) => (0, 127),
        (OnnxElementType.Int8, false) => symmetric ? (-127, 127) : (-128, 127),
        (OnnxElementType.Int8, true) => symmetric ? (-64, 64) : (-64, 63),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Only UInt8 and Int8 are supported."),
    };

    /// <summary>
    /// Scale and zero point covering [<paramref name="min"/>, <paramref name="max"/>] widened to
    /// include 0, so that 0 (padding, a Relu's floor) is represented exactly.
    /// </summary>
    public static QuantizationParameters FromRange(double min, double max, OnnxElementType type, bool symmetric, bool reduceRange = false)
    {
        var (qmin, qmax) = Limits(type, symmetric, reduceRange);
        var rmin = Math.Min(min, 0);
        var rmax = Math.Max(max, 0);
        if (symmetric)
        {
            var absMax = Math.Max(Math.Abs(rmin), Math.Abs(rmax));
            rmin = -absMax;
            rmax = absMax;
        }

        var scale = (float)((rmax - rmin) / (qmax - qmin));
        if (!(scale >= SmallestNormal))
        {
            scale = 1f;
        }

        if (symmetric)
        {
            // The middle of the integer range (0 for int8, 128 for uint8), fixed rather than
            // computed so that float rounding cannot move it off the centre.
            return new QuantizationParameters(scale, (qmin + qmax + 1) / 2);
        }

        // numpy.round rounds half to even, as Math.Round does by default.
        var zeroPoint = Math.Round(qmin - (rmin / scale), MidpointRounding.ToEven);
        return new QuantizationParameters(scale, (int)Math.Clamp(zeroPoint, qmin, qmax));
    }

    /// <summary><c>clamp(round(value / scale + zero point))</c>, the division in single precision as ONNX specifies.</summary>
    public static int Quantize(float value, QuantizationParameters parameters, int qmin, int qmax)
    {
        var q = MathF.Round((value / parameters.Scale) + parameters.ZeroPoint, MidpointRounding.ToEven);
        return (int)Math.Clamp(q, qmin, qmax);
    }

    /// <summary>
    /// Quantizes a weight symmetrically, with one scale per index of <paramref name="axis"/>
    /// (<see cref="QuantizedWeight.PerTensor"/> for one scale in all).
    /// </summary>
    public static QuantizedWeight QuantizeWeight(ReadOnlySpan<float> values, ReadOnlySpan<long> dims, int axis, OnnxElementType type, bool reduceRange)
    {
        var result = new int[values.Length];
        var (scales, zeroPoints) = QuantizeWeight(values, dims, axis, type, reduceRange, result);
        return new QuantizedWeight(result, scales, zeroPoints, axis);
    }

    /// <summary>
    /// <see cref="QuantizeWeight(ReadOnlySpan{float}, ReadOnlySpan{long}, int, OnnxElementType, bool)"/>
    /// into <paramref name="result"/>, as long as <paramref name="values"/>, so a caller can reuse one buffer for many weights.
    /// </summary>
    public static (float[] Scales, int[] ZeroPoints) QuantizeWeight(ReadOnlySpan<float> values, ReadOnlySpan<long> dims, int axis, OnnxElementType type, bool reduceRange, Span<int> result)
    {
        if (result.Length != values.Length)
        {
            throw new ArgumentException($"The result needs {values.Length} elements; it has {result.Length}.", nameof(result));
        }

        var (qmin, qmax) = Limits(type, symmetric: true, reduceRange);
        var (outer, channels, inner) = Split(dims, axis);
        var scales = new float[channels];
        var zeroPoints = new int[channels];
        for (var c = 0; c < channels; c++)
        {
            float absMax = 0;
            for (long o = 0; o < outer; o++)
            {
                foreach (var v in values.Slice((int)(((o * channels) + c) * inner), (int)inner))
                {
                    absMax = Math.Max(absMax, Math.Abs(v));
                }
            }

            var parameters = FromRange(-absMax, absMax, type, symmetric: true, reduceRange);
            scales[c] = parameters.Scale;
            zeroPoints[c] = parameters.ZeroPoint;
            for (long o = 0; o < outer; o++)
            {
                var start = (int)(((o * channels) + c) * inner);
                for (var i = start; i < start + inner; i++)
                {
                    result[i] = Quantize(values[i], parameters, qmin, qmax);
                }
            }
        }

        return (scales, zeroPoints);
    }

    /// <summary>
    /// Quantizes a bias to int32 with scale <c>input scale × weight scale</c> (per channel when the
    /// weight is) and zero point 0: the form QLinearConv and QGemm add to their int32 accumulators.
    /// <paramref name="multiplier"/> is folded in first (a Gemm's <c>beta</c>).
    /// </summary>
    public static (int[] Values, float[] Scales) QuantizeBias(ReadOnlySpan<float> bias, float multiplier, float inputScale, ReadOnlySpan<float> weightScales)
    {
        var scales = new float[weightScales.Length];
        for (var c = 0; c < scales.Length; c++)
        {
            var scale = inputScale * weightScales[c];
            scales[c] = scale >= SmallestNormal ? scale : 1f;
        }

        var values = new int[bias.Length];
        for (var i = 0; i < bias.Length; i++)
        {
            var scale = scales.Length == 1 ? scales[0] : scales[i];
            var q = Math.Round((double)(bias[i] * multiplier) / scale, MidpointRounding.ToEven);
            values[i] = (int)Math.Clamp(q, int.MinValue, int.MaxValue);
        }

        return (values, scales);
    }

    private static (long Outer, int Channels, long Inner) Split(ReadOnlySpan<long> dims, int axis)
    {
        var count = OnnxTensors.ElementCount(dims);
        if (axis == QuantizedWeight.PerTensor)
        {
            return (1, 1, count);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(axis);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(axis, dims.Length);
        long outer = 1;
        for (var i = 0; i < axis; i++)
        {
            outer *= dims[i];
        }

        var channels = checked((int)dims[axis]);
        return (outer, channels, channels == 0 || outer == 0 ? 0 : count / outer / channels);
    }
}
