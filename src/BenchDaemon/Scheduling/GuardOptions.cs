using System.ComponentModel.DataAnnotations;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Guards that keep canaries from disturbing a production server (section <c>Guards</c>).
/// Each skip is counted in <c>benchdaemon_canary_runs_total{status="skipped",reason=…}</c>.
/// </summary>
public sealed class GuardOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Guards";

    /// <summary>Canaries may use at most this share of wall time per hour (0–1; 1 disables the guard).</summary>
    [Range(0.0, 1.0)]
    public double DutyFraction { get; set; } = 0.02;

    /// <summary>Skip a CPU canary when host CPU utilisation is above this (0–1; 1 disables the guard).</summary>
    [Range(0.0, 1.0)]
    public double CpuBusyThreshold { get; set; } = 0.8;

    /// <summary>Skip a GPU canary when the GPU's utilisation is above this or foreign compute processes run on it (0–1; 1 disables the guard).</summary>
    [Range(0.0, 1.0)]
    public double GpuBusyThreshold { get; set; } = 0.5;

    /// <summary>Skip a GPU canary while its GPU is throttling for thermal reasons.</summary>
    public bool Thermal { get; set; } = true;

    /// <summary>Runs that may wait for one device; more are dropped (reason <c>queue_full</c>).</summary>
    [Range(1, 100)]
    public int QueueLength { get; set; } = 8;
}
