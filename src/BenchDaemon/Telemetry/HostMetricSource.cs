using System.Globalization;
using BenchDaemon.Probes;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Telemetry;

/// <summary>Writes the host metrics from the sampler's latest snapshot.</summary>
public sealed class HostMetricSource : IMetricSource
{
    private readonly ProbeSampler _sampler;
    private readonly bool _perCpu;

    public HostMetricSource(ProbeSampler sampler, IOptions<ProbeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sampler = sampler;
        _perCpu = options.Value.PerCpu;
    }

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var snapshot = _sampler.Latest;
        if (snapshot.Sequence == 0)
        {
            return;
        }

        var host = snapshot.Host;
        writer.Write(TelemetryCatalogue.ProbeDuration, snapshot.SampleDuration.TotalSeconds);
        writer.Write(TelemetryCatalogue.ProbeLastSample, host.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
        writer.Write(TelemetryCatalogue.ProbeSamples, snapshot.Sequence);

        if (host.Cpu is { } cpu)
        {
            foreach (var (mode, seconds) in cpu.Total.Modes())
            {
                writer.Write(TelemetryCatalogue.HostCpuSeconds, seconds, mode);
            }

            writer.Write(TelemetryCatalogue.HostCpus, cpu.Cores.Count);
            if (_perCpu)
            {
                foreach (var core in cpu.Cores)
                {
                    var id = core.Cpu.ToString(CultureInfo.InvariantCulture);
                    foreach (var (mode, seconds) in core.Times.Modes())
                    {
                        writer.Write(TelemetryCatalogue.HostCpuCoreSeconds, seconds, id, mode);
                    }
                }
            }
        }

        if (snapshot.CpuUtilization is { } utilisation)
        {
            writer.Write(TelemetryCatalogue.HostCpuUtilization, utilisation);
        }

        if (host.Memory is { } memory)
        {
            writer.Write(TelemetryCatalogue.HostMemoryTotal, memory.TotalBytes);
            writer.Write(TelemetryCatalogue.HostMemoryAvailable, memory.AvailableBytes);
            writer.Write(TelemetryCatalogue.HostMemoryUsed, memory.UsedBytes);
            writer.Write(TelemetryCatalogue.HostMemoryFree, memory.FreeBytes);
            writer.Write(TelemetryCatalogue.HostMemoryCached, memory.BuffersBytes + memory.CachedBytes);
            writer.Write(TelemetryCatalogue.HostSwapTotal, memory.SwapTotalBytes);
            writer.Write(TelemetryCatalogue.HostSwapFree, memory.SwapFreeBytes);
        }

        if (host.Load is { } load)
        {
            writer.Write(TelemetryCatalogue.HostLoad1, load.Load1);
            writer.Write(TelemetryCatalogue.HostLoad5, load.Load5);
            writer.Write(TelemetryCatalogue.HostLoad15, load.Load15);
        }

        foreach (var pressure in host.Pressure)
        {
            writer.Write(TelemetryCatalogue.HostPressureStalled, pressure.TotalSeconds, pressure.Resource, pressure.Kind);
        }

        foreach (var energy in host.Energy)
        {
            writer.Write(TelemetryCatalogue.HostEnergy, energy.Joules, energy.Domain);
        }

        foreach (var (source, reason, count) in host.Errors)
        {
            writer.Write(TelemetryCatalogue.HostProbeErrors, count, source, reason);
        }
    }
}
