namespace BenchDaemon.Probes;

/// <summary>
/// Cumulative energy of one domain in joules, unwrapped: a RAPL domain (the kernel counter wraps at
/// <c>max_energy_range_uj</c>, this value keeps growing) or a GPU (<c>gpu:N</c>, NVML's total energy).
/// </summary>
public sealed record EnergyCounter(string Domain, double Joules);
