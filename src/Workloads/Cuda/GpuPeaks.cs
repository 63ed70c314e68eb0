using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// Theoretical peaks of the GPUs BenchDaemon knows, keyed by the name the CUDA driver reports.
/// Tensor-core figures in NVIDIA's datasheets are quoted "with sparsity"; the dense figure
/// used here is half of it. FP32 is the non-tensor-core FP32 rate. INT8 is in operations
/// (TOPS). Boost clock, SXM/PCIe form factor as named.
/// </summary>
public static class GpuPeaks
{
    private const double Tera = 1e12;
    private const double Giga = 1e9;

    /// <summary>The table (docs/canaries.md shows the same figures).</summary>
    public static IReadOnlyList<GpuPeak> All { get; } =
    [
        // NVIDIA H100 Tensor Core GPU datasheet (H100 SXM column): FP32 67 TF; TF32 989, BF16 1,979,
        // FP16 1,979, FP8 3,958 TF and INT8 3,958 TOPS with sparsity; 3.35 TB/s HBM3.
        Peak("H100 SXM5 80GB", ["NVIDIA H100 80GB HBM3", "NVIDIA H100 SXM5 80GB"], fp32: 67, tf32: 494.5, bf16: 989.5, fp16: 989.5, int8: 1979, fp8: 1979, memoryGBs: 3350,
            "NVIDIA H100 Tensor Core GPU datasheet, H100 SXM"),

        // Same datasheet, H100 PCIe column: FP32 51 TF; TF32 756, BF16 1,513, FP16 1,513, FP8 3,026 TF and
        // INT8 3,026 TOPS with sparsity; 2 TB/s HBM2e.
        Peak("H100 PCIe 80GB", ["NVIDIA H100 PCIe"], fp32: 51, tf32: 378, bf16: 756.5, fp16: 756.5, int8: 1513, fp8: 1513, memoryGBs: 2000,
            "NVIDIA H100 Tensor Core GPU datasheet, H100 PCIe"),

        // Same datasheet, H100 NVL column: FP32 60 TF; TF32 835, BF16 1,671, FP16 1,671, FP8 3,341 TF and
        // INT8 3,341 TOPS with sparsity; 3.9 TB/s HBM3.
        Peak("H100 NVL 94GB", ["NVIDIA H100 NVL"], fp32: 60, tf32: 417.5, bf16: 835.5, fp16: 835.5, int8: 1670.5, fp8: 1670.5, memoryGBs: 3900,
            "NVIDIA H100 Tensor Core GPU datasheet, H100 NVL"),

        // NVIDIA H200 Tensor Core GPU datasheet (H200 SXM column): the H100 SXM compute figures; 4.8 TB/s HBM3e.
        Peak("H200 SXM 141GB", ["NVIDIA H200"], fp32: 67, tf32: 494.5, bf16: 989.5, fp16: 989.5, int8: 1979, fp8: 1979, memoryGBs: 4800,
            "NVIDIA H200 Tensor Core GPU datasheet, H200 SXM"),

        // NVIDIA A100 Tensor Core GPU datasheet: FP32 19.5 TF; TF32 156 TF, BF16 312, FP16 312 TF, INT8 624 TOPS
        // (dense; twice that with sparsity); no FP8. Memory: 80GB SXM 2,039 GB/s, 80GB PCIe 1,935 GB/s, 40GB 1,555 GB/s.
        Peak("A100 SXM4 80GB", ["NVIDIA A100-SXM4-80GB", "NVIDIA A100 80GB SXM4"], fp32: 19.5, tf32: 156, bf16: 312, fp16: 312, int8: 624, fp8: null, memoryGBs: 2039,
            "NVIDIA A100 Tensor Core GPU datasheet, A100 80GB SXM"),
        Peak("A100 PCIe 80GB", ["NVIDIA A100 80GB PCIe", "NVIDIA A100-PCIE-80GB"], fp32: 19.5, tf32: 156, bf16: 312, fp16: 312, int8: 624, fp8: null, memoryGBs: 1935,
            "NVIDIA A100 Tensor Core GPU datasheet, A100 80GB PCIe"),
        Peak("A100 SXM4 40GB", ["NVIDIA A100-SXM4-40GB"], fp32: 19.5, tf32: 156, bf16: 312, fp16: 312, int8: 624, fp8: null, memoryGBs: 1555,
            "NVIDIA A100 Tensor Core GPU datasheet, A100 40GB SXM"),
        Peak("A100 PCIe 40GB", ["NVIDIA A100-PCIE-40GB"], fp32: 19.5, tf32: 156, bf16: 312, fp16: 312, int8: 624, fp8: null, memoryGBs: 1555,
            "NVIDIA A100 Tensor Core GPU datasheet, A100 40GB PCIe"),

        // NVIDIA L40S datasheet (dense | sparse): FP32 91.6 TF; TF32 183 | 366, BF16 362.05 | 733, FP16 362.05 | 733,
        // FP8 733 | 1,466 TF, INT8 733 | 1,466 TOPS; 864 GB/s GDDR6.
        Peak("L40S", ["NVIDIA L40S"], fp32: 91.6, tf32: 183, bf16: 362.05, fp16: 362.05, int8: 733, fp8: 733, memoryGBs: 864,
            "NVIDIA L40S GPU datasheet"),

        // NVIDIA L4 Tensor Core GPU datasheet: FP32 30.3 TF; TF32 120, BF16 242, FP16 242, FP8 485 TF and
        // INT8 485 TOPS with sparsity; 300 GB/s GDDR6.
        Peak("L4", ["NVIDIA L4"], fp32: 30.3, tf32: 60, bf16: 121, fp16: 121, int8: 242.5, fp8: 242.5, memoryGBs: 300,
            "NVIDIA L4 Tensor Core GPU datasheet"),

        // NVIDIA A10 Tensor Core GPU datasheet: FP32 31.2 TF; TF32 62.5, BF16 125, FP16 125 TF, INT8 250 TOPS
        // (dense; twice that with sparsity); no FP8; 600 GB/s GDDR6.
        Peak("A10", ["NVIDIA A10"], fp32: 31.2, tf32: 62.5, bf16: 125, fp16: 125, int8: 250, fp8: null, memoryGBs: 600,
            "NVIDIA A10 Tensor Core GPU datasheet"),
    ];

    /// <summary>The peaks of the GPU the driver calls <paramref name="deviceName"/>, or null when unknown.</summary>
    public static GpuPeak? Find(string? deviceName)
    {
        if (string.IsNullOrWhiteSpace(deviceName))
        {
            return null;
        }

        var name = deviceName.Trim();
        return All.FirstOrDefault(p => p.DeviceNames.Contains(name, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Theoretical bytes per second of one direction of a PCIe link: transfer rate × lanes ×
    /// line-code efficiency (8b/10b for generations 1–2, 128b/130b for 3–5, FLIT 242/256 for 6) ÷ 8.
    /// Null for an unknown generation or width.
    /// </summary>
    public static double? PcieBytesPerSecond(int? generation, int? width)
    {
        if (generation is not { } g || width is not { } w || w <= 0)
        {
            return null;
        }

        double? gigatransfers = g switch { 1 => 2.5, 2 => 5, 3 => 8, 4 => 16, 5 => 32, 6 => 64, _ => null };
        double efficiency = g switch { <= 2 => 8.0 / 10, <= 5 => 128.0 / 130, _ => 242.0 / 256 };
        return gigatransfers * Giga * w * efficiency / 8;
    }

    private static GpuPeak Peak(string model, string[] names, double fp32, double tf32, double bf16, double fp16, double int8, double? fp8, double memoryGBs, string source)
    {
        var flops = new Dictionary<Precision, double>
        {
            [Precision.FP32] = fp32 * Tera,
            [Precision.TF32] = tf32 * Tera,
            [Precision.BF16] = bf16 * Tera,
            [Precision.FP16] = fp16 * Tera,
            [Precision.INT8] = int8 * Tera,
        };
        if (fp8 is { } f)
        {
            flops[Precision.FP8] = f * Tera;
        }

        return new GpuPeak(model, names, flops, memoryGBs * Giga, source);
    }
}
