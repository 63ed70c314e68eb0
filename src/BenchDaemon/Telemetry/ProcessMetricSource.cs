using System.Globalization;
using BenchDaemon.Probes.Linux;

namespace BenchDaemon.Telemetry;

/// <summary>
/// The daemon's own cost under the conventional <c>process_*</c> names (as every Prometheus
/// exporter publishes them) plus a few <c>dotnet_*</c> runtime figures. One read of
/// <c>/proc/self/stat</c> per scrape (proc(5)); the file-descriptor count lists
/// <c>/proc/self/fd</c> without stat-ing each entry, which is what made prometheus-net's
/// built-in collector cost most of a scrape (bench/README.md).
/// </summary>
public sealed class ProcessMetricSource : IMetricSource
{
    private static readonly string[] s_generations = ["0", "1", "2"];

    private readonly double _startTimeSeconds;
    private readonly double? _maxFds;
    private readonly long _pageSize = Environment.SystemPageSize;

    public ProcessMetricSource()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        _startTimeSeconds = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        _maxFds = ReadMaxOpenFiles();
    }

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(TelemetryCatalogue.ProcessStartTime, _startTimeSeconds);
        if (ReadStat() is { } stat)
        {
            writer.Write(TelemetryCatalogue.ProcessCpuSeconds, stat.CpuSeconds);
            writer.Write(TelemetryCatalogue.ProcessResidentMemory, stat.RssPages * (double)_pageSize);
            writer.Write(TelemetryCatalogue.ProcessVirtualMemory, stat.VirtualBytes);
            writer.Write(TelemetryCatalogue.ProcessThreads, stat.Threads);
        }

        if (OpenFds() is { } fds)
        {
            writer.Write(TelemetryCatalogue.ProcessOpenFds, fds);
        }

        if (_maxFds is { } max)
        {
            writer.Write(TelemetryCatalogue.ProcessMaxFds, max);
        }

        for (var generation = 0; generation < s_generations.Length; generation++)
        {
            writer.Write(TelemetryCatalogue.DotnetGcCollections, GC.CollectionCount(generation), s_generations[generation]);
        }

        writer.Write(TelemetryCatalogue.DotnetGcHeap, GC.GetTotalMemory(forceFullCollection: false));
        writer.Write(TelemetryCatalogue.DotnetGcPause, GC.GetTotalPauseDuration().TotalSeconds);
        writer.Write(TelemetryCatalogue.DotnetThreadPoolThreads, ThreadPool.ThreadCount);
    }

    // Listing /proc/self/fd makes .NET stat every entry (they are symlinks): about 40 % of a
    // scrape's CPU. The count changes slowly, so it is refreshed at most every 15 s.
    private static readonly TimeSpan s_fdRefresh = TimeSpan.FromSeconds(15);
    private long _fdTimestamp = long.MinValue;
    private int? _fds;

    private int? OpenFds()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_fdTimestamp != long.MinValue && System.Diagnostics.Stopwatch.GetElapsedTime(_fdTimestamp, now) < s_fdRefresh)
        {
            return _fds;
        }

        try
        {
            _fds = Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Hardened mounts may hide /proc/self/fd; the metric is then absent.
            _fds = null;
        }

        _fdTimestamp = now;
        return _fds;
    }

    private static (double CpuSeconds, double RssPages, double VirtualBytes, double Threads)? ReadStat()
    {
        try
        {
            return SelfCpu.Parse(File.ReadAllText("/proc/self/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static double? ReadMaxOpenFiles()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return double.TryParse(soft, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
