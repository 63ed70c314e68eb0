namespace BenchDaemon.Probes.Linux;

/// <summary>
/// CPU package and DRAM energy from RAPL, read fresh at each call (unlike the sampler's
/// snapshot, which may be a second old). Domains are reported as <c>cpu:{domain}</c>.
/// Unreadable counters give an empty list; the host probe already logs why.
/// </summary>
public sealed class RaplEnergyMeter : IEnergyMeter
{
    private readonly RaplReader _reader;
    private readonly RaplEnergyAccumulator _accumulator = new();
    private readonly Lock _lock = new();

    public RaplEnergyMeter(Microsoft.Extensions.Options.IOptions<ProbeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reader = new RaplReader(options.Value.SysRoot);
    }

    public IReadOnlyList<EnergyCounter> ReadEnergy()
    {
        lock (_lock)
        {
            var result = _reader.Read();
            var counters = new EnergyCounter[result.Readings.Count];
            for (var i = 0; i < counters.Length; i++)
            {
                var reading = result.Readings[i];
                counters[i] = new EnergyCounter(
                    "cpu:" + reading.Domain,
                    _accumulator.Update(reading.Domain, reading.EnergyMicrojoules, reading.MaxEnergyRangeMicrojoules));
            }

            return counters;
        }
    }
}
