using System.Globalization;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Scheduling;

/// <summary>Decides whether a canary may run now; a refusal carries a reason code and text.</summary>
public sealed class CanaryGuards(IOptionsMonitor<GuardOptions> options, ProbeSampler sampler, IGpuStatusSource gpus, DutyCycle duty)
{
    /// <summary>Null when the canary may run, else why not.</summary>
    public (string Code, string Reason)? Check(CanaryDefinition canary, TimeSpan expectedDuration)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var guard = options.CurrentValue;
        if (duty.WouldExceed(expectedDuration, guard.DutyFraction))
        {
            return (ReasonCodes.DutyBudget, string.Create(CultureInfo.InvariantCulture,
                $"duty budget: canaries used {duty.UsedFraction():P1} of the last hour; another {expectedDuration.TotalSeconds:F0} s would pass the {guard.DutyFraction:P1} limit"));
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
