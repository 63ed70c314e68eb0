namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Cumulative energy of one RAPL domain in joules, unwrapped: the kernel counter wraps at
/// <c>max_energy_range_uj</c>, this value keeps growing.
/// </summary>
public sealed record EnergyCounter(string Domain, double Joules);
