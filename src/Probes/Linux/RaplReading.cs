namespace BenchDaemon.Probes.Linux;

/// <summary>One raw reading of a RAPL powercap zone.</summary>
/// <param name="Domain">The domain label: <c>package-0</c>, <c>psys</c>, <c>dram-0</c>, <c>core-1</c>...</param>
/// <param name="EnergyMicrojoules">The zone's <c>energy_uj</c> counter, which wraps.</param>
/// <param name="MaxEnergyRangeMicrojoules">The zone's <c>max_energy_range_uj</c>, where the counter wraps; 0 when unknown.</param>
public sealed record RaplReading(string Domain, ulong EnergyMicrojoules, ulong MaxEnergyRangeMicrojoules);
