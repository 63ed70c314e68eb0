namespace BenchDaemon.Bench.Regression;

/// <summary>The kinds of run-to-run noise the simulation feeds the gates (<see cref="Noise"/>).</summary>
internal enum NoiseKind
{
    /// <summary>Independent log-normal runs.</summary>
    Independent,

    /// <summary>Half of a run's log variance shared with its re-runs, however far apart.</summary>
    Correlated,

    /// <summary>One run in 30 slowed by 15-50 % for that run only.</summary>
    Bursty,

    /// <summary>Bursts of 15-50 % lasting minutes, so a run and its re-runs share them.</summary>
    LongBursts,

    /// <summary>Every run at one of two levels, one in five 25 % slower.</summary>
    Bimodal,

    /// <summary>Two levels as <see cref="Bimodal"/>, staying in a mode for 30 minutes on average.</summary>
    StickyBimodal,
}
