using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Studies;

/// <summary>Fills each cell's derived metrics from the cells it is compared with (<see cref="StudyMetrics"/>).</summary>
public static class StudyAnalysis
{
    /// <summary>The cells with <see cref="StudyCell.Consistency"/>, RTR, ASE, BSR, speed-ups, stage shares and bottlenecks filled where their references were measured.</summary>
    public static IReadOnlyList<StudyCell> Derive(StudyKind kind, IReadOnlyList<StudyCell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var measured = cells.Where(Measured).ToList();

        double? Find(Func<StudyCell, bool> match) => measured.FirstOrDefault(match)?.ThroughputSamplesPerSecond;
        StudyCell? FindCell(Func<StudyCell, bool> match) => measured.FirstOrDefault(match);

        var derived = new List<StudyCell>(cells.Count);
        foreach (var c in cells)
        {
            if (!Measured(c))
            {
                derived.Add(c);
                continue;
            }

            var t = c.ThroughputSamplesPerSecond;
            // Throughput over the wall-clock window (harness time between calls included) × per-call latency ÷ batch.
            var windowThroughput = c.MeasureSeconds is > 0 && c.Iterations > 0 ? c.Iterations * (double)c.Batch / c.MeasureSeconds.Value : (double?)null;
            var d = c with { Consistency = c.Mode == StudyCellPlan.EndToEndMode ? null : StudyMetrics.ThroughputLatencyConsistency(windowThroughput, c.MeanLatencySeconds, c.Batch) };

            // RTR and ASE against the same configuration at batch 1.
            var t1 = Find(o => o.Batch == 1 && SameConfiguration(o, c));
            var ase = StudyMetrics.AbsoluteScalingEfficiency(t, t1, c.Batch);
            d = d with { Rtr = StudyMetrics.RelativeThroughputRate(t, t1), Ase = ase };

            // BSR and speed-up against the baseline configuration of the same model (and block) at this batch.
            if (c.Configuration == StudyCellPlan.Optimised && c.Mode == StudyCellPlan.InferenceMode)
            {
                var baseline = FindCell(o => o.Configuration == StudyCellPlan.Baseline && o.Model == c.Model && o.Batch == c.Batch);
                if (baseline is not null)
                {
                    var baselineT1 = Find(o => o.Configuration == StudyCellPlan.Baseline && o.Model == c.Model && o.Batch == 1);
                    var baselineAse = StudyMetrics.AbsoluteScalingEfficiency(baseline.ThroughputSamplesPerSecond, baselineT1, c.Batch);
                    d = d with
                    {
                        Bsr = StudyMetrics.BatchScalingResilience(ase, baselineAse),
                        SpeedupVsBaseline = StudyMetrics.Speedup(t, baseline.ThroughputSamplesPerSecond),
                    };
                    if (kind == StudyKind.Precision)
                    {
                        d = d with { SpeedupVsNativeFp32 = d.SpeedupVsBaseline };
                    }
                }

                if (kind is StudyKind.Precision or StudyKind.Energy)
                {
                    var fp32 = FindCell(o => o.Configuration == StudyCellPlan.Optimised && o.Mode == c.Mode && o.Model == c.Model
                                             && o.Provider == c.Provider && o.Precision == Precision.FP32 && o.Batch == c.Batch);
                    d = d with
                    {
                        SpeedupVsProviderFp32 = StudyMetrics.Speedup(t, fp32?.ThroughputSamplesPerSecond),
                        LatencySpeedupVsProviderFp32 = StudyMetrics.LatencySpeedup(c.MeanLatencySeconds, fp32?.MeanLatencySeconds),
                    };
                }
            }

            if (c.Mode == StudyCellPlan.EndToEndMode)
            {
                d = Pipeline(d, measured);
            }

            derived.Add(d);
        }

        return derived;
    }

    /// <summary>Depth study: slope and retention of the speed-up over the baseline, per block, width, provider, precision and batch.</summary>
    public static IReadOnlyList<DepthScaling> DepthSummary(IReadOnlyList<StudyCell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return cells
            .Where(c => c.Configuration == StudyCellPlan.Optimised && c.Depth is not null && c.SpeedupVsBaseline is not null)
            .GroupBy(c => (c.Block, Width: c.Width!.Value, c.Provider, Precision: c.Precision.ToString(), c.Batch))
            .OrderBy(g => g.Key.Block, StringComparer.Ordinal).ThenBy(g => g.Key.Width).ThenBy(g => g.Key.Provider, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Precision, StringComparer.Ordinal).ThenBy(g => g.Key.Batch)
            .Select(g =>
            {
                var points = g.OrderBy(c => c.Depth).Select(c => (c.Depth!.Value, c.SpeedupVsBaseline!.Value)).ToList();
                return new DepthScaling(
                    g.Key.Block ?? "?",
                    g.Key.Width,
                    g.Key.Provider,
                    g.Key.Precision,
                    g.Key.Batch,
                    points,
                    StudyMetrics.LeastSquaresSlope(points.Select(p => ((double)p.Item1, p.Item2)).ToList()),
                    StudyMetrics.Retention(points));
            })
            .ToList();
    }

    private static StudyCell Pipeline(StudyCell e2e, List<StudyCell> measured)
    {
        var pre = measured.FirstOrDefault(o => o.Mode == StudyCellPlan.PreprocessMode && o.Model == e2e.Model && o.Provider == e2e.Provider
                                               && o.ImageSize == e2e.ImageSize && o.Batch == e2e.Batch && o.Precision == e2e.Precision);
        var inferenceAlone = measured.FirstOrDefault(o => o.Mode == StudyCellPlan.InferenceMode && o.Model == e2e.Model && o.Provider == e2e.Provider
                                                          && o.Batch == e2e.Batch && o.Precision == e2e.Precision);
        if (pre?.StageSeconds is not { } preStages || e2e.StageSeconds is not { } e2eStages || !e2eStages.TryGetValue("inference", out var inference))
        {
            return e2e;
        }

        var stages = new Dictionary<string, double>(preStages, StringComparer.Ordinal) { ["inference"] = inference };
        var alone = preStages.Select(s => (s.Key, s.Value > 0 ? e2e.Batch / s.Value : double.PositiveInfinity)).ToList();
        if (inferenceAlone?.ThroughputSamplesPerSecond is { } ti)
        {
            alone.Add(("inference", ti));
        }

        return e2e with { StageShares = StudyMetrics.Shares(stages), Bottleneck = StudyMetrics.Bottleneck(alone) };
    }

    private static bool Measured(StudyCell c) => c.Status is CanaryStatus.Ok or CanaryStatus.Unstable && c.ThroughputSamplesPerSecond is > 0;

    private static bool SameConfiguration(StudyCell a, StudyCell b) =>
        a.Configuration == b.Configuration && a.Mode == b.Mode && a.Model == b.Model && a.Provider == b.Provider && a.Precision == b.Precision
        && a.GraphOptimization == b.GraphOptimization && a.ImageSize == b.ImageSize;
}
