using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using BenchDaemon.Probes.Nvml;

namespace BenchDaemon.Probes;

/// <summary>Settings of the probe sampler (configuration section <c>Probes</c>).</summary>
public sealed class ProbeOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Probes";

    /// <summary>Default sampling interval: one second, like node_exporter's typical scrape resolution.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often the background sampler reads every probe. Between 100 ms and 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Interval { get; set; } = DefaultInterval;

    /// <summary>Also export CPU time per logical CPU (one series per CPU and mode). Off by default to bound cardinality.</summary>
    public bool PerCpu { get; set; }

    /// <summary>Root of the proc file system; tests and containers point it elsewhere.</summary>
    [Required]
    public string ProcRoot { get; set; } = "/proc";

    /// <summary>Root of the sys file system (RAPL energy counters live under it).</summary>
    [Required]
    public string SysRoot { get; set; } = "/sys";

    /// <summary>The NVML GPU probe (subsection <c>Probes:Gpu</c>).</summary>
    [ValidateObjectMembers]
    public GpuProbeOptions Gpu { get; set; } = new();
}
