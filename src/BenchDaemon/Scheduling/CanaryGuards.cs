using System.Globalization;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Decides whether a canary may run now (a refusal carries a reason code and text), and whether a
/// run that did was disturbed by other work that started while it ran.
/// </summary>
public sealed class CanaryGuards(IOptionsMonitor<GuardOptions> options, ProbeSampler sampler, IGpuStatusSource gpus, DutyCycle duty)
{
    /// <summary>How much more of all CPUs other work may take during a run than as it started before the run counts as disturbed.</summary>
    public const double DisturbedCpuRise = 0.25;

    /// <summary>The share of CPU time stolen by the hypervisor during a run above which (and above twice as it started) it counts as disturbed.</summary>
    public const double DisturbedSteal = 0.05;

    /// <summary>The probes' reading to compare a run's end with.</summary>
    public ProbeSnapshot Snapshot() => sampler.Latest;

    /// <summary>
    /// Why a CPU canary's run between <paramref name="start"/> and <paramref name="end"/> was
    /// disturbed, or null: other processes' share of all CPUs over the run rose by more than
    /// <see cref="DisturbedCpuRise"/> over their share as it started, or the hypervisor stole more
    /// than <see cref="DisturbedSteal"/>. Only a rise counts: work that was already there when the
    /// run started (a noisy neighbour that stays) is the host's state, and a regression if it
    /// slows the canary. A run shorter than one probe interval cannot be judged (null).
    /// </summary>
    public static string? Disturbance(CanaryDefinition canary, ProbeSnapshot start, ProbeSnapshot end)
    {
        if (Foreign(canary, start, end) is not { } over)
        {
            return null;
        }

        var before = start.ForeignCpuUtilization ?? 0;
        if (over.Share - before > DisturbedCpuRise)
        {
            return string.Create(CultureInfo.InvariantCulture, $"other processes took {over.Share:P0} of the CPUs during the run, {before:P0} as it started");
        }

        return over.Steal > DisturbedSteal
            ? string.Create(CultureInfo.InvariantCulture, $"the hypervisor stole {over.Steal:P0} of the CPU time during the run")
            : null;
    }

    /// <summary>
    /// CPUs other processes kept busy on average between <paramref name="start"/> and
    /// <paramref name="end"/> (their share of all CPUs times the CPUs the host has), for a CPU
    /// canary; null for a GPU canary or a run shorter than one probe interval.
    /// </summary>
    public static double? ForeignCpus(CanaryDefinition canary, ProbeSnapshot start, ProbeSnapshot end) =>
        Foreign(canary, start, end) is { } over ? over.Share * over.Cpus : null;

    // Other processes' share of all CPUs over the run (this daemon and its workers excluded), the
    // hypervisor's stolen share, and the CPUs counted.
    private static (double Share, double Steal, int Cpus)? Foreign(CanaryDefinition canary, ProbeSnapshot start, ProbeSnapshot end)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        if (canary.Device.IsGpu || start.Host.Cpu is not { } a || end.Host.Cpu is not { } b)
        {
            return null;
        }

        var total = b.Total.Total - a.Total.Total;
        if (total <= 0 || end.SelfCpuSeconds is not { } selfEnd || start.SelfCpuSeconds is not { } selfStart)
        {
            return null;
        }

        var share = Math.Max(0, (b.Total.Busy - a.Total.Busy) - (selfEnd - selfStart)) / total;
        return (share, (b.Total.Steal - a.Total.Steal) / total, Math.Max(1, b.Cores.Count));
    }

    /// <summary>Null when the canary may run, else why not.</summary>
    public (string Code, string Reason)? Check(CanaryDefinition canary, TimeSpan expectedDuration)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var guard = options.CurrentValue;
        if (duty.WouldExceed(expectedDuration, guard.DutyFraction))
        {
            return (ReasonCodes.DutyBudget, string.Create(CultureInfo.InvariantCulture,
                $"duty budget: canaries used {duty.UsedFraction():P1} of the last {(duty.Window == DutyCycle.MinimumWindow ? "hour" : $"{duty.Window.TotalMinutes:F0} minutes")}; another {expectedDuration.TotalSeconds:F0} s would pass the {guard.DutyFraction:P1} limit"));
        }

        if (canary.Device.GpuIndex is not { } index)
        {
            // Other work only: the daemon's own previous canary must not block the next one.
            if (guard.CpuBusyThreshold < 1 && sampler.Latest.ForeignCpuUtilization is { } cpu && cpu > guard.CpuBusyThreshold)
            {
                return (ReasonCodes.CpuBusy, string.Create(CultureInfo.InvariantCulture, $"CPU busy: utilisation by other processes {cpu:P0} is above {guard.CpuBusyThreshold:P0}"));
            }

            return null;
        }

        if (gpus.Status(index) is not { } gpu)
        {
            return null;
        }

        if (guard.Thermal && gpu.ThermalThrottling)
        {
            return (ReasonCodes.Thermal, $"GPU {index} is throttling for thermal reasons");
        }

        if (guard.GpuBusyThreshold < 1 && (gpu.Utilization > guard.GpuBusyThreshold || gpu.ForeignComputeProcesses > 0))
        {
            return (ReasonCodes.GpuBusy, string.Create(CultureInfo.InvariantCulture,
                $"GPU {index} busy: utilisation {gpu.Utilization:P0} (limit {guard.GpuBusyThreshold:P0}), {gpu.ForeignComputeProcesses} other compute processes"));
        }

        return null;
    }
}
