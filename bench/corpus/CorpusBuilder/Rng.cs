using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Bench.Corpus;

/// <summary>
/// The product's generator (<see cref="SplitMix64"/>): its sequence is fixed by the product's
/// code, not by a .NET version, so the corpus is the same on every machine.
/// </summary>
internal sealed class Rng(ulong seed)
{
    private readonly SplitMix64 _generator = new(seed);

    public ulong Next() => _generator.NextUInt64();

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => _generator.NextDouble();

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double Uniform(double low, double high) => low + ((high - low) * NextDouble());

    /// <summary>An integer in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public long Integer(long low, long high) => low + (long)(Next() % (ulong)(high - low));

    /// <summary><paramref name="count"/> floats uniform in ±<paramref name="limit"/>.</summary>
    public float[] Floats(int count, double limit)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)Uniform(-limit, limit);
        }

        return values;
    }
}
