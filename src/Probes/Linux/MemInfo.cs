namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Memory figures from <c>/proc/meminfo</c>, in bytes. <see cref="AvailableBytes"/> is the
/// kernel's MemAvailable estimate; on kernels older than 3.14, which lack it, it is
/// estimated as MemFree + Buffers + Cached.
/// </summary>
public sealed record MemInfo(
    ulong TotalBytes,
    ulong FreeBytes,
    ulong AvailableBytes,
    ulong BuffersBytes,
    ulong CachedBytes,
    ulong SwapTotalBytes,
    ulong SwapFreeBytes)
{
    /// <summary>Memory in use: total minus available (what <c>free</c> calls "used" since procps 3.3.10).</summary>
    public ulong UsedBytes => TotalBytes > AvailableBytes ? TotalBytes - AvailableBytes : 0;
}
