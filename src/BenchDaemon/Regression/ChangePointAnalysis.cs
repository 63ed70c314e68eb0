using BenchDaemon.Workloads.Canaries;
using Perfolizer.Mathematics.Cpd;

namespace BenchDaemon.Regression;

/// <summary>
/// The history tier: Perfolizer's ED-PELT (Haynes, Fearnhead and Eckley 2017, nonparametric
/// cost on the empirical distribution) over the log of a metric, with a minimum segment
/// length, finds step and gradual changes after the fact and dates them. Changes smaller than
/// the minimum effect are dropped: ED-PELT finds every distributional change, and on a series
/// of thousands of runs that includes many real but irrelevant ones.
/// </summary>
public static class ChangePointAnalysis
{
    /// <summary>Change points of <paramref name="draws"/> (oldest first).</summary>
    public static IReadOnlyList<ChangePoint> Find(IReadOnlyList<Draw> draws, int minimumSegment, double minimumEffect)
    {
        ArgumentNullException.ThrowIfNull(draws);
        var usable = draws.Where(d => d.Value > 0 && double.IsFinite(d.Value)).ToList();
        if (usable.Count < 2 * minimumSegment)
        {
            return [];
        }

        var logs = usable.Select(d => Math.Log(d.Value)).ToArray();
        var indexes = EdPeltChangePointDetector.Instance.GetChangePointIndexes(logs, minimumSegment);
        var bounds = new List<int> { 0 };
        bounds.AddRange(indexes.Where(i => i > 0 && i < logs.Length));
        bounds.Add(logs.Length);
        var points = new List<ChangePoint>();
        for (var i = 1; i < bounds.Count - 1; i++)
        {
            var before = Median(usable, bounds[i - 1], bounds[i]);
            var after = Median(usable, bounds[i], bounds[i + 1]);
            if (Math.Abs(Math.Log(after / before)) >= Math.Log(1 + minimumEffect))
            {
                var first = usable[bounds[i]];
                points.Add(new ChangePoint(bounds[i], first.RunId, first.Time, before, after));
            }
        }

        return points;
    }

    private static double Median(List<Draw> draws, int from, int to) =>
        Quantiles.Median([.. draws.Skip(from).Take(to - from).Select(d => d.Value)]);
}
