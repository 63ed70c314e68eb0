namespace BenchDaemon.Bench.Corpus;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, OOPSLA 2014), as the product's generator: its sequence
/// is fixed by this code, not by a .NET version, so the corpus is the same on every machine.
/// </summary>
internal sealed class Rng(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

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
