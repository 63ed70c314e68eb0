namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// Memory error state of one GPU: volatile ECC error counts (since the driver loaded) where ECC is on,
/// retired pages (pre-Ampere page retirement) and remapped rows (Ampere and later); null where not supported.
/// </summary>
public sealed record GpuEccCounts(
    long? Corrected,
    long? Uncorrected,
    long? RetiredSingleBit,
    long? RetiredDoubleBit,
    long? RemappedCorrectable,
    long? RemappedUncorrectable,
    long? RemappedPending,
    long? RemappedFailure);
