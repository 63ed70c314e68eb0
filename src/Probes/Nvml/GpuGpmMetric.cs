namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// The NVML GPM metrics the probe reads; each value is the <c>nvmlGpmMetricId_t</c> number of nvml.h.
/// Activities arrive as percent (0–100) and leave as ratios (0–1); traffic arrives in MiB/s and leaves in bytes per second.
/// </summary>
public enum GpuGpmMetric
{
    /// <summary><c>NVML_GPM_METRIC_GRAPHICS_UTIL</c>: share of time any graphics or compute engine was active.</summary>
    GraphicsActive = 1,

    /// <summary><c>NVML_GPM_METRIC_SM_UTIL</c>: share of SMs busy, averaged over the interval.</summary>
    SmActive = 2,

    /// <summary><c>NVML_GPM_METRIC_SM_OCCUPANCY</c>: resident warps against the theoretical maximum.</summary>
    SmOccupancy = 3,

    /// <summary><c>NVML_GPM_METRIC_INTEGER_UTIL</c>: share of time the SMs ran integer operations.</summary>
    IntegerActive = 4,

    /// <summary><c>NVML_GPM_METRIC_ANY_TENSOR_UTIL</c>: share of time the SMs ran any tensor-core operation.</summary>
    TensorActive = 5,

    /// <summary><c>NVML_GPM_METRIC_DFMA_TENSOR_UTIL</c>.</summary>
    DfmaTensorActive = 6,

    /// <summary><c>NVML_GPM_METRIC_HMMA_TENSOR_UTIL</c>: half-precision (FP16/BF16) matrix operations.</summary>
    HmmaTensorActive = 7,

    /// <summary><c>NVML_GPM_METRIC_DMMA_TENSOR_UTIL</c>: double-precision matrix operations (newer drivers only).</summary>
    DmmaTensorActive = 8,

    /// <summary><c>NVML_GPM_METRIC_IMMA_TENSOR_UTIL</c>: integer matrix operations.</summary>
    ImmaTensorActive = 9,

    /// <summary><c>NVML_GPM_METRIC_DRAM_BW_UTIL</c>: DRAM bandwidth used against the theoretical maximum.</summary>
    DramActive = 10,

    /// <summary><c>NVML_GPM_METRIC_FP64_UTIL</c>: non-tensor FP64.</summary>
    Fp64Active = 11,

    /// <summary><c>NVML_GPM_METRIC_FP32_UTIL</c>: non-tensor FP32.</summary>
    Fp32Active = 12,

    /// <summary><c>NVML_GPM_METRIC_FP16_UTIL</c>: non-tensor FP16.</summary>
    Fp16Active = 13,

    /// <summary><c>NVML_GPM_METRIC_PCIE_TX_PER_SEC</c>: PCIe traffic from the GPU.</summary>
    PcieTransmit = 20,

    /// <summary><c>NVML_GPM_METRIC_PCIE_RX_PER_SEC</c>: PCIe traffic to the GPU.</summary>
    PcieReceive = 21,

    /// <summary><c>NVML_GPM_METRIC_NVLINK_TOTAL_RX_PER_SEC</c>: NVLink reads over all links.</summary>
    NvlinkReceive = 60,

    /// <summary><c>NVML_GPM_METRIC_NVLINK_TOTAL_TX_PER_SEC</c>: NVLink writes over all links.</summary>
    NvlinkTransmit = 61,
}
