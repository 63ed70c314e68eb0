namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// The GPU probe's NVML failures by reason since the daemon started, shared by the probe and its
/// devices and exported as <c>benchdaemon_gpu_probe_errors_total{reason}</c>. The log says each
/// once; these count every occurrence, so a rate shows a fault that keeps happening.
/// </summary>
internal sealed class GpuErrorCounts
{
    /// <summary>NVML could not be loaded or initialised, or listed no usable GPU (one per attempt).</summary>
    public const string InitFailed = "init_failed";

    /// <summary>A field the GPU or driver does not support (one per field and GPU: it is not asked again).</summary>
    public const string NotSupported = "not_supported";

    /// <summary>A read that failed with another error (one per failed read).</summary>
    public const string ReadFailed = "read_failed";

    /// <summary>A GPU reported NVML_ERROR_GPU_IS_LOST (one per loss).</summary>
    public const string GpuLost = "gpu_lost";

    private static readonly string[] s_reasons = [InitFailed, NotSupported, ReadFailed, GpuLost];
    private readonly long[] _counts = new long[s_reasons.Length];

    /// <summary>Counts one failure of <paramref name="reason"/> (one of the constants above).</summary>
    public void Add(string reason) => Interlocked.Increment(ref _counts[Array.IndexOf(s_reasons, reason)]);

    /// <summary>The reasons seen so far with their counts.</summary>
    public IReadOnlyDictionary<string, long> Snapshot()
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < s_reasons.Length; i++)
        {
            var count = Interlocked.Read(ref _counts[i]);
            if (count > 0)
            {
                result[s_reasons[i]] = count;
            }
        }

        return result;
    }
}
