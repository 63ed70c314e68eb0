using System.Runtime.InteropServices;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Tests.Cuda;

public sealed class CudaArithmeticTests
{
    [Theory]
    [InlineData(256, 33_554_432.0)]
    [InlineData(8192, 1_099_511_627_776.0)]
    [InlineData(65536, 562_949_953_421_312.0)]
    public void GemmOperations_TwoNCubed(int n, double expected)
    {
        Assert.Equal(expected, CudaCanaryRunner.GemmOperations(n));
    }

    [Fact]
    public void GemmOperations_At8192In1_4Milliseconds_Is785TflopsOr79PercentOfH100Bf16()
    {
        var flops = CudaCanaryRunner.GemmOperations(8192) / 0.0014;
        Assert.Equal(785.4e12, flops, 0.1e12);
        Assert.Equal(0.794, flops / GpuPeaks.Find("NVIDIA H100 80GB HBM3")!.FlopsPerSecond[Precision.BF16], 0.001);
    }

    [Fact]
    public void CopyBytesMoved_CountsReadAndWrite()
    {
        Assert.Equal(2.0 * 1024 * 1024 * 1024, CudaCanaryRunner.CopyBytesMoved(1L << 30));
    }

    [Fact]
    public void Values_Fp8_NeverNanAndBelowTwo()
    {
        var bytes = CudaCanaryRunner.Values(Precision.FP8, 1 << 16, 3);
        Assert.DoesNotContain(bytes, b => (b & 0x7F) == 0x7F);
        Assert.All(bytes, b => Assert.True(((b >> 3) & 0xF) <= 7, $"exponent of {b:x2}"));
        Assert.True(bytes.Distinct().Count() > 100);
    }

    [Theory]
    [InlineData(Precision.FP32)]
    [InlineData(Precision.TF32)]
    public void Values_Float_UniformInMinusOneToOne(Precision precision)
    {
        var values = MemoryMarshal.Cast<byte, float>(CudaCanaryRunner.Values(precision, 4 << 10, 1).AsSpan()).ToArray();
        Assert.All(values, v => Assert.InRange(v, -1f, 1f));
        Assert.True(values.Min() < -0.9f && values.Max() > 0.9f);
    }

    [Fact]
    public void Values_Bf16AndFp16_FiniteInMinusOneToOne()
    {
        var bf16 = MemoryMarshal.Cast<byte, ushort>(CudaCanaryRunner.Values(Precision.BF16, 4 << 10, 1).AsSpan()).ToArray();
        Assert.All(bf16, v => Assert.InRange(BitConverter.UInt32BitsToSingle((uint)v << 16), -1f, 1f));
        var fp16 = MemoryMarshal.Cast<byte, Half>(CudaCanaryRunner.Values(Precision.FP16, 4 << 10, 1).AsSpan()).ToArray();
        Assert.All(fp16, v => Assert.InRange((float)v, -1f, 1f));
    }

    [Fact]
    public void Values_SameSeedSameBytes_OtherSeedOtherBytes()
    {
        Assert.Equal(CudaCanaryRunner.Values(Precision.INT8, 1024, 7), CudaCanaryRunner.Values(Precision.INT8, 1024, 7));
        Assert.NotEqual(CudaCanaryRunner.Values(Precision.INT8, 1024, 7), CudaCanaryRunner.Values(Precision.INT8, 1024, 8));
    }

    [Fact]
    public void GpuJoules_OwnCounterFirst_ElseAllGpus_ElseNull()
    {
        var energy = new Dictionary<string, double> { ["cpu:package-0"] = 50, ["gpu:0"] = 300, ["gpu:1"] = 100 };
        Assert.Equal(100, CudaCanaryRunner.GpuJoules(energy, 1));
        Assert.Equal(400, CudaCanaryRunner.GpuJoules(energy, 3));
        Assert.Null(CudaCanaryRunner.GpuJoules(new Dictionary<string, double> { ["cpu:package-0"] = 50 }, 0));
        Assert.Null(CudaCanaryRunner.GpuJoules(null, 0));
    }
}
