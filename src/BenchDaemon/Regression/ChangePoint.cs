namespace BenchDaemon.Regression;

/// <summary>A change point of the history tier: where a series' level moved, dated.</summary>
/// <param name="Index">Index in the series of the first run of the new level.</param>
/// <param name="RunId">That run.</param>
/// <param name="Time">When it started.</param>
/// <param name="Before">Median of the segment before.</param>
/// <param name="After">Median of the segment from this run on.</param>
public sealed record ChangePoint(int Index, long RunId, DateTimeOffset Time, double Before, double After)
{
    /// <summary>After over before.</summary>
    public double Ratio => After / Before;
}
