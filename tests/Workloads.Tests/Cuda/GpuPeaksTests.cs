using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Tests.Cuda;

public sealed class GpuPeaksTests
{
    [Theory]
    [InlineData("NVIDIA H100 80GB HBM3", "H100 SXM5 80GB")]
    [InlineData("nvidia h100 80gb hbm3 ", "H100 SXM5 80GB")]
    [InlineData("NVIDIA H100 PCIe", "H100 PCIe 80GB")]
    [InlineData("NVIDIA A100-SXM4-80GB", "A100 SXM4 80GB")]
    [InlineData("NVIDIA A100 80GB PCIe", "A100 PCIe 80GB")]
    [InlineData("NVIDIA A100-PCIE-40GB", "A100 PCIe 40GB")]
    [InlineData("NVIDIA L40S", "L40S")]
    [InlineData("NVIDIA L4", "L4")]
    [InlineData("NVIDIA A10", "A10")]
    [InlineData("NVIDIA H200", "H200 SXM 141GB")]
    public void Find_DriverNames_MapToTheirModel(string deviceName, string model)
    {
        Assert.Equal(model, GpuPeaks.Find(deviceName)?.Model);
    }

    [Theory]
    [InlineData("NVIDIA GeForce RTX 4090")]
    [InlineData("NVIDIA A100")] // not a name the driver reports: no guessing by prefix
    [InlineData("")]
    [InlineData(null)]
    public void Find_UnknownName_Null(string? deviceName)
    {
        Assert.Null(GpuPeaks.Find(deviceName));
    }

    [Fact]
    public void H100Sxm_DensePeaksAreHalfTheDatasheetSparsityFigures()
    {
        var peak = GpuPeaks.Find("NVIDIA H100 80GB HBM3")!;
        Assert.Equal(989.5e12, peak.FlopsPerSecond[Precision.BF16]);
        Assert.Equal(989.5e12, peak.FlopsPerSecond[Precision.FP16]);
        Assert.Equal(494.5e12, peak.FlopsPerSecond[Precision.TF32]);
        Assert.Equal(1979e12, peak.FlopsPerSecond[Precision.FP8]);
        Assert.Equal(1979e12, peak.FlopsPerSecond[Precision.INT8]);
        Assert.Equal(67e12, peak.FlopsPerSecond[Precision.FP32]);
        Assert.Equal(3.35e12, peak.MemoryBytesPerSecond);
        Assert.Contains("datasheet", peak.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void AmpereAndA10_HaveNoFp8Peak()
    {
        Assert.False(GpuPeaks.Find("NVIDIA A100-SXM4-80GB")!.FlopsPerSecond.ContainsKey(Precision.FP8));
        Assert.False(GpuPeaks.Find("NVIDIA A10")!.FlopsPerSecond.ContainsKey(Precision.FP8));
        Assert.True(GpuPeaks.Find("NVIDIA L4")!.FlopsPerSecond.ContainsKey(Precision.FP8));
    }

    [Fact]
    public void Table_EveryEntryHasEveryNonFp8PrecisionAndASource()
    {
        Assert.All(GpuPeaks.All, p =>
        {
            foreach (var precision in new[] { Precision.FP32, Precision.TF32, Precision.FP16, Precision.BF16, Precision.INT8 })
            {
                Assert.True(p.FlopsPerSecond[precision] > 0, $"{p.Model} {precision}");
            }

            Assert.False(string.IsNullOrWhiteSpace(p.Source));
            Assert.True(p.MemoryBytesPerSecond > 0);
        });
        Assert.Equal(GpuPeaks.All.SelectMany(p => p.DeviceNames).Count(), GpuPeaks.All.SelectMany(p => p.DeviceNames).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory]
    [InlineData(5, 16, 32e9 * 16 * 128 / 130 / 8)]
    [InlineData(4, 16, 16e9 * 16 * 128 / 130 / 8)]
    [InlineData(3, 8, 8e9 * 8 * 128 / 130 / 8)]
    [InlineData(2, 16, 5e9 * 16 * 0.8 / 8)]
    [InlineData(1, 1, 2.5e9 * 0.8 / 8)]
    public void PcieBytesPerSecond_RateTimesLanesTimesLineCode(int generation, int width, double expected)
    {
        Assert.Equal(expected, GpuPeaks.PcieBytesPerSecond(generation, width)!.Value, 1e-3);
    }

    [Fact]
    public void PcieBytesPerSecond_UnknownGenerationOrWidth_Null()
    {
        Assert.Null(GpuPeaks.PcieBytesPerSecond(null, 16));
        Assert.Null(GpuPeaks.PcieBytesPerSecond(5, null));
        Assert.Null(GpuPeaks.PcieBytesPerSecond(9, 16));
        Assert.Null(GpuPeaks.PcieBytesPerSecond(5, 0));
    }
}
