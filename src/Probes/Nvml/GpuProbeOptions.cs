using System.ComponentModel.DataAnnotations;

namespace BenchDaemon.Probes.Nvml;

/// <summary>Settings of the NVML GPU probe (configuration section <c>Probes:Gpu</c>).</summary>
public sealed class GpuProbeOptions : IValidatableObject
{
    /// <summary>The section path, for error messages.</summary>
    public const string SectionPath = "Probes:Gpu";

    /// <summary>Default energy cadence: the counter read costs milliseconds per GPU (about 2.9 ms on an H100 with driver 580).</summary>
    public static readonly TimeSpan DefaultEnergyInterval = TimeSpan.FromSeconds(10);

    /// <summary>Default PCIe cadence: each PCIe throughput call blocks for about 20 ms while NVML samples the link.</summary>
    public static readonly TimeSpan DefaultPcieInterval = TimeSpan.FromSeconds(30);

    /// <summary>Default GPM cadence: the interval each set of GPM profiling metrics averages over.</summary>
    public static readonly TimeSpan DefaultGpmInterval = TimeSpan.FromSeconds(5);

    /// <summary>Default most compute processes reported per GPU with process metrics.</summary>
    public const int DefaultProcessLimit = 32;

    /// <summary>Default first wait before retrying a failed NVML initialisation.</summary>
    public static readonly TimeSpan DefaultRetryInitial = TimeSpan.FromSeconds(10);

    /// <summary>Default longest wait between initialisation retries.</summary>
    public static readonly TimeSpan DefaultRetryMax = TimeSpan.FromMinutes(5);

    /// <summary>Read GPUs through NVML at all. On by default; machines without a driver just report the probe down.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>NVML library to load instead of the driver's <c>libnvidia-ml.so.1</c>.</summary>
    public string? LibraryPath { get; set; }

    /// <summary>How often the energy counter is read for /metrics (canary windows read it at their edges anyway). 1 s – 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan EnergyInterval { get; set; } = DefaultEnergyInterval;

    /// <summary>How often PCIe throughput, link state, ECC and retired/remapped memory are read. 1 s – 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PcieInterval { get; set; } = DefaultPcieInterval;

    /// <summary>
    /// How often a GPM sample is taken on GPUs with GPM (Hopper and newer); each set of GPM metrics averages
    /// over one interval. 200 ms (NVML needs two samples more than 100 ms apart) – 1 h.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "01:00:00")]
    public TimeSpan GpmInterval { get; set; } = DefaultGpmInterval;

    /// <summary>
    /// Export per compute process (labels pid and process) its GPU memory, SM utilisation, estimated energy and
    /// its container and Kubernetes pod (read from <c>/proc/&lt;pid&gt;/cgroup</c> under <c>Probes:ProcRoot</c>).
    /// Off by default to bound cardinality; at most <see cref="ProcessLimit"/> processes per GPU.
    /// </summary>
    public bool ProcessMetrics { get; set; }

    /// <summary>
    /// With <see cref="ProcessMetrics"/>: the most compute processes reported per GPU (those with the most
    /// GPU memory), bounding the per-process series. 1 – 1024.
    /// </summary>
    [Range(1, 1024)]
    public int ProcessLimit { get; set; } = DefaultProcessLimit;

    /// <summary>First wait before NVML initialisation is retried after a failure; doubles up to <see cref="RetryMax"/>. 1 s – 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryInitial { get; set; } = DefaultRetryInitial;

    /// <summary>Longest wait between initialisation retries. At least <see cref="RetryInitial"/>, at most 1 day.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetryMax { get; set; } = DefaultRetryMax;

    /// <summary>Rules across fields: <see cref="RetryMax"/> not below <see cref="RetryInitial"/>, a library path that is not blank.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryMax < RetryInitial)
        {
            yield return OptionsMember.Fail(validationContext, nameof(RetryMax), $"must not be shorter than {OptionsMember.Key(validationContext, nameof(RetryInitial))} ({RetryInitial}), got {RetryMax}");
        }

        if (LibraryPath is { Length: > 0 } path && path.Trim().Length == 0)
        {
            yield return OptionsMember.Fail(validationContext, nameof(LibraryPath), "must not be blank");
        }
    }
}
