using BenchDaemon.Probes;
using BenchDaemon.Probes.Nvml;

namespace BenchDaemon.Scheduling;

/// <summary>
/// GPU state for the guards from the sampler's latest GPU reading: utilisation, compute
/// processes other than this daemon and its workers, and active thermal slowdown (software or hardware).
/// </summary>
public sealed class GpuProbeStatusSource(ProbeSampler sampler, IProcessFamily? family = null) : IGpuStatusSource
{
    private static readonly int s_ownPid = Environment.ProcessId;

    public GpuStatus? Status(int gpuIndex)
    {
        if (sampler.Latest.Gpu is not { Up: true } probe)
        {
            return null;
        }

        var gpu = probe.Gpus.FirstOrDefault(g => g.Identity.Index == gpuIndex);
        if (gpu is not { Up: true })
        {
            return null;
        }

        var own = family?.Members ?? [];
        var foreign = gpu.Processes?.Count(p => p.Pid != s_ownPid && !own.Contains(p.Pid)) ?? 0;
        var thermal = gpu.ClockEventReasons is { } reasons && (reasons & GpuClockEvents.ThermalMask) != 0;
        return new GpuStatus(gpu.Utilization ?? 0, foreign, thermal);
    }
}
