namespace BenchDaemon.Tests.Regression;

/// <summary>Seeded log-normal run values.</summary>
internal sealed class SyntheticSeries(int seed, double cv)
{
    private readonly Random _random = new(seed);
    private readonly double _sigma = Math.Sqrt(Math.Log(1 + (cv * cv)));

    /// <summary>One run's value around <paramref name="level"/> (its median).</summary>
    public double Next(double level)
    {
        var u1 = 1 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return level * Math.Exp(_sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
