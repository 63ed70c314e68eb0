using BenchDaemon.Probes.Linux;
using BenchDaemon.Probes.Nvml;

namespace BenchDaemon.Probes;

/// <summary>
/// The energy meter canary windows use: RAPL (<c>cpu:*</c> domains) and every GPU's NVML
/// energy counter (<c>gpu:{index}</c>), each read fresh at the call.
/// </summary>
public sealed class CompositeEnergyMeter(RaplEnergyMeter rapl, GpuProbe gpus) : IEnergyMeter
{
    public IReadOnlyList<EnergyCounter> ReadEnergy() => [.. rapl.ReadEnergy(), .. gpus.ReadEnergy()];
}
