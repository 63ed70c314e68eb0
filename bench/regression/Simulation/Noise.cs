namespace BenchDaemon.Bench.Regression;

/// <summary>
/// Run-to-run noise of a canary, as a function of time so that re-runs minutes after a run see
/// what the machine did then. The CV is the between-run coefficient of variation of a run's
/// p50 (log-normal), on top of which each kind adds its own structure.
/// </summary>
internal sealed class Noise(NoiseKind kind, double cv, Random random)
{
    /// <summary>Share of a run's log variance its re-runs share with it (<see cref="NoiseKind.Correlated"/>).</summary>
    public const double SharedShare = 0.5;

    /// <summary>Share of runs a burst slows (<see cref="NoiseKind.Bursty"/>).</summary>
    public const double BurstRate = 1 / 30.0;

    /// <summary>Share of runs in the slow mode (<see cref="NoiseKind.Bimodal"/>, <see cref="NoiseKind.StickyBimodal"/>).</summary>
    public const double SlowShare = 0.2;

    /// <summary>The slow mode's level over the fast one.</summary>
    public const double SlowLevel = 1.25;

    private readonly double _sigma = Math.Sqrt(Math.Log(1 + (cv * cv)));
    private double _moment;
    private DateTimeOffset _burstEnd = DateTimeOffset.MinValue;
    private DateTimeOffset _nextBurst = DateTimeOffset.MinValue;
    private double _burst;
    private bool _slow;
    private DateTimeOffset _switch = DateTimeOffset.MinValue;

    /// <summary>A scheduled run starts a new moment (the part of the noise its re-runs share), a standard normal value.</summary>
    public void NewMoment(double moment) => _moment = moment;

    /// <summary>The value of a run at <paramref name="time"/> of a canary whose true level is <paramref name="level"/>.</summary>
    public double Value(DateTimeOffset time, double level)
    {
        var own = level * Math.Exp(_sigma * Normal());
        switch (kind)
        {
            case NoiseKind.Independent:
                return own;
            case NoiseKind.Correlated:
                // Half the log variance is the moment's, whatever the time between run and re-run: the worst case for spaced re-runs.
                return level * Math.Exp(_sigma * ((Math.Sqrt(SharedShare) * _moment) + (Math.Sqrt(1 - SharedShare) * Normal())));
            case NoiseKind.Bursty:
                // A burst (a page-out, a neighbour's spike) slows one run by 15-50 %; runs minutes apart are not in it.
                return own * (random.NextDouble() < BurstRate ? 1.15 + (0.35 * random.NextDouble()) : 1);
            case NoiseKind.LongBursts:
                // Bursts of 15-50 % lasting 5 minutes on average, one every 100 minutes: re-runs share them.
                if (_nextBurst == DateTimeOffset.MinValue)
                {
                    _nextBurst = time + Minutes(95);
                }

                while (time >= _nextBurst)
                {
                    _burstEnd = _nextBurst + Minutes(5);
                    _burst = 0.15 + (0.35 * random.NextDouble());
                    _nextBurst = _burstEnd + Minutes(95);
                }

                return own * (time < _burstEnd ? 1 + _burst : 1);
            case NoiseKind.Bimodal:
                // Every run at one of two levels (resnet-mini on the soak machine), one in five slow.
                return own * (random.NextDouble() < SlowShare ? SlowLevel : 1);
            case NoiseKind.StickyBimodal:
                // The same two levels, but the canary stays in a mode for 30 minutes on average.
                if (_switch == DateTimeOffset.MinValue)
                {
                    _switch = time;
                }

                while (time >= _switch)
                {
                    _slow = random.NextDouble() < SlowShare;
                    _switch += Minutes(30);
                }

                return own * (_slow ? SlowLevel : 1);
            default:
                throw new InvalidOperationException($"unknown noise kind {kind}");
        }
    }

    // An exponentially distributed number of minutes with the given mean.
    private TimeSpan Minutes(double mean) => TimeSpan.FromMinutes(-mean * Math.Log(1 - random.NextDouble()));

    private double Normal() => Normal(random);

    /// <summary>A standard normal value (Box–Muller).</summary>
    public static double Normal(Random random)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
