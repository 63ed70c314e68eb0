using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Quantization;

namespace BenchDaemon.Workloads.Tests.Models.Quantization;

public sealed class QuantizationMathTests
{
    [Fact]
    public void FromRange_UInt8_CoversRangeWithZeroExact()
    {
        var p = QuantizationMath.FromRange(-1, 3, OnnxElementType.UInt8, symmetric: false);

        Assert.Equal(4f / 255, p.Scale, 6);
        // -min / scale = 63.75 → 64, so real 0 is the integer 64.
        Assert.Equal(64, p.ZeroPoint);
    }

    [Fact]
    public void FromRange_PositiveOnlyRange_IsWidenedToZero()
    {
        var p = QuantizationMath.FromRange(2, 5.1, OnnxElementType.UInt8, symmetric: false);

        Assert.Equal(0, p.ZeroPoint);
        Assert.Equal(5.1f / 255, p.Scale, 6);
    }

    [Fact]
    public void FromRange_AllZero_GivesScaleOne()
    {
        Assert.Equal(new QuantizationParameters(1f, 0), QuantizationMath.FromRange(0, 0, OnnxElementType.UInt8, symmetric: false));
    }

    [Fact]
    public void QuantizeWeight_PerChannelAxis0_ScalesEachChannelByItsOwnMax()
    {
        // Two output channels of a [2, 1, 1, 2] Conv weight with very different magnitudes.
        float[] weight = [0.5f, -1f, 0.005f, 0.02f];

        var q = QuantizationMath.QuantizeWeight(weight, [2, 1, 1, 2], axis: 0, OnnxElementType.Int8, reduceRange: false);

        Assert.Equal([1f / 127, 0.02f / 127], q.Scales);
        Assert.Equal([0, 0], q.ZeroPoints);
        // 0.5 / (1 / 127) = 63.5 → 64 (half to even); 0.005 / (0.02 / 127) = 31.75 → 32.
        Assert.Equal([64, -127, 32, 127], q.Values);
    }

    [Fact]
    public void QuantizeWeight_PerChannelAxis1_ScalesEachColumn()
    {
        // A [K=2, N=2] MatMul weight: column 0 is small, column 1 large.
        float[] weight = [0.1f, 2f, -0.05f, -4f];

        var q = QuantizationMath.QuantizeWeight(weight, [2, 2], axis: 1, OnnxElementType.Int8, reduceRange: false);

        Assert.Equal([0.1f / 127, 4f / 127], q.Scales);
        Assert.Equal([127, 64, -64, -127], q.Values);
    }

    [Fact]
    public void QuantizeWeight_ReduceRange_StaysWithinSevenBits()
    {
        var q = QuantizationMath.QuantizeWeight([1f, -1f, 0.5f], [3], QuantizedWeight.PerTensor, OnnxElementType.Int8, reduceRange: true);

        Assert.Equal([64, -64, 32], q.Values);
        Assert.Equal(1f / 64, Assert.Single(q.Scales));
    }

    [Fact]
    public void QuantizeWeight_UInt8_IsSymmetricAroundZeroPoint128()
    {
        var q = QuantizationMath.QuantizeWeight([1f, -1f, 0f], [3], QuantizedWeight.PerTensor, OnnxElementType.UInt8, reduceRange: false);

        Assert.Equal(128, Assert.Single(q.ZeroPoints));
        Assert.Equal(128, q.Values[2]);
    }

    [Fact]
    public void QuantizeBias_PerChannel_UsesInputScaleTimesWeightScale()
    {
        var (values, scales) = QuantizationMath.QuantizeBias([0.5f, -0.25f], multiplier: 2f, inputScale: 0.01f, [0.1f, 0.5f]);

        Assert.Equal([0.01f * 0.1f, 0.01f * 0.5f], scales);
        // (0.5 × 2) / 0.001 = 1000; (−0.25 × 2) / 0.005 = −100.
        Assert.Equal([1000, -100], values);
    }
}
