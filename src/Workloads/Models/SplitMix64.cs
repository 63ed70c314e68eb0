namespace BenchDaemon.Workloads.Models;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; constants as in <see href="https://prng.di.unimi.it/splitmix64.c">splitmix64.c</see>).
/// Used instead of <see cref="Random"/> because its sequence is fixed by this code, not by
/// a .NET version: model weights (and so model bytes) and generated canary inputs must not
/// change under an SDK update. Public for the benchmarks that build models the same way
/// (bench/corpus).
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits (a double's full precision).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [-1, 1) with 53 random bits.</summary>
    public double NextSignedDouble() => (NextDouble() * 2) - 1;

    /// <summary>Uniform in [0, 1) with 24 random bits: exact in a float, so no rounding differs across hardware.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform in [-<paramref name="limit"/>, <paramref name="limit"/>).</summary>
    public float NextUniform(float limit) => ((2f * NextSingle()) - 1f) * limit;

    /// <summary><paramref name="count"/> values uniform in ±<paramref name="limit"/>.</summary>
    public float[] NextUniform(int count, float limit)
    {
        var values = new float[count];
        NextUniform(values, limit);
        return values;
    }

    /// <summary>Fills <paramref name="destination"/> with values uniform in ±<paramref name="limit"/>, in the order <see cref="NextUniform(int, float)"/> returns them.</summary>
    public void NextUniform(Span<float> destination, float limit)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = NextUniform(limit);
        }
    }
}
