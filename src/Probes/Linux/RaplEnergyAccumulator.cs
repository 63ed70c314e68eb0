using System.Runtime.InteropServices;

namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Turns the wrapping RAPL <c>energy_uj</c> counters into cumulative joules that never decrease.
/// </summary>
/// <remarks>
/// The powercap counter wraps to 0 after <c>max_energy_range_uj</c>
/// (https://docs.kernel.org/power/powercap/powercap.html); a package at 200 W wraps a 2^38 µJ range
/// in about 20 minutes, so a sampler must unwrap it. A reading lower than the previous one is a wrap
/// when the range is known, and a reset (driver reload) when it is not. Sampling must be more
/// frequent than one wrap period, or whole periods are lost. Not thread-safe: one sampler owns it.
/// </remarks>
public sealed class RaplEnergyAccumulator
{
    private readonly Dictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    /// <summary>Adds a reading of one domain and returns its cumulative energy.</summary>
    /// <param name="domain">The domain label (such as <c>package-0</c>); each is tracked separately.</param>
    /// <param name="energyMicrojoules">The raw <c>energy_uj</c> value.</param>
    /// <param name="maxEnergyRangeMicrojoules">The domain's <c>max_energy_range_uj</c>; 0 when unknown.</param>
    /// <returns>Joules since the first reading of the domain, counting that first reading's value.</returns>
    public double Update(string domain, ulong energyMicrojoules, ulong maxEnergyRangeMicrojoules)
    {
        ArgumentNullException.ThrowIfNull(domain);

        ref Counter counter = ref CollectionsMarshal.GetValueRefOrAddDefault(_counters, domain, out bool seen);
        if (!seen)
        {
            counter.TotalMicrojoules = energyMicrojoules;
        }
        else if (energyMicrojoules >= counter.LastMicrojoules)
        {
            counter.TotalMicrojoules += energyMicrojoules - counter.LastMicrojoules;
        }
        else if (maxEnergyRangeMicrojoules >= counter.LastMicrojoules && maxEnergyRangeMicrojoules > 0)
        {
            // Wrapped at max_energy_range_uj: the rest of the range, then the new count from 0.
            counter.TotalMicrojoules += maxEnergyRangeMicrojoules - counter.LastMicrojoules + energyMicrojoules;
        }
        else
        {
            // No usable range: the counter restarted from 0, so all of it is new energy.
            counter.TotalMicrojoules += energyMicrojoules;
        }

        counter.LastMicrojoules = energyMicrojoules;
        // Kept in integral microjoules so that long sums do not pick up floating-point rounding.
        return counter.TotalMicrojoules / 1e6;
    }

    private struct Counter
    {
        public ulong LastMicrojoules;
        public ulong TotalMicrojoules;
    }
}
