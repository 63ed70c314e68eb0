namespace BenchDaemon.Probes.Nvml;

/// <summary>One NVLink of one GPU, read on the slow cadence; null parts where the driver does not report them.</summary>
/// <param name="Link">Link index (0 to NVML_NVLINK_MAX_LINKS - 1).</param>
/// <param name="Active">True while the link is up (<c>nvmlDeviceGetNvLinkState</c>).</param>
/// <param name="TransmitBytes">Data bytes sent since the driver loaded (<c>NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX</c>, KiB → bytes).</param>
/// <param name="ReceiveBytes">Data bytes received since the driver loaded (<c>NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX</c>).</param>
/// <param name="Errors">Error counters by type (<see cref="GpuNvlinkSample.ErrorCounters"/>), those the driver reports.</param>
public sealed record GpuNvlinkSample(int Link, bool Active, double? TransmitBytes, double? ReceiveBytes, IReadOnlyDictionary<string, long> Errors)
{
    /// <summary><c>nvmlNvLinkErrorCounter_t</c> values and their label names.</summary>
    public static IReadOnlyList<(string Name, int Counter)> ErrorCounters { get; } =
    [
        ("replay", 0),     // NVML_NVLINK_ERROR_DL_REPLAY: data link transmit replays
        ("recovery", 1),   // NVML_NVLINK_ERROR_DL_RECOVERY: data link transmit recoveries
        ("crc_flit", 2),   // NVML_NVLINK_ERROR_DL_CRC_FLIT: receive flow-control digit CRC errors
        ("crc_data", 3),   // NVML_NVLINK_ERROR_DL_CRC_DATA: receive data CRC errors
        ("ecc_data", 4),   // NVML_NVLINK_ERROR_DL_ECC_DATA: receive data ECC errors
    ];
}
