namespace BenchDaemon.Probes;

/// <summary>
/// Reads cumulative energy counters on demand, for the edges of a canary window: the
/// difference of two readings is the energy spent in between (counter deltas, not sampled
/// power). Domains are prefixed by device class, for example <c>cpu:package-0</c>.
/// </summary>
public interface IEnergyMeter
{
    /// <summary>Every readable counter now; empty where the machine has none.</summary>
    IReadOnlyList<EnergyCounter> ReadEnergy();
}
