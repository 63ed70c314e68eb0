namespace BenchDaemon.Workloads.Studies;

/// <summary>
/// The research's metrics as pure functions. Throughput T is in samples per second; every
/// function returns null where an input is missing or not positive, so a failed or skipped
/// cell propagates as "absent", never as zero.
/// </summary>
/// <remarks>
/// Batch friction (graph-compiler study): RTR(b) = T(b)/T(1), ASE(b) = T(b)/(b·T(1)),
/// BSR(b) = ASE_c(b)/ASE_baseline(b). Quantization study: latency speed-up = L_ref/L_q
/// (its Eq. 19) and throughput improvement factor = T_q/T_ref (Eq. 20), each against the
/// native baseline and against the same provider's FP32. Depth: slope of the least-squares
/// line of speed-up over depth, retention = speed-up(deepest)/speed-up(one block).
/// </remarks>
public static class StudyMetrics
{
    /// <summary>Relative throughput rate RTR(b) = T(b) / T(1).</summary>
    public static double? RelativeThroughputRate(double? throughput, double? throughputAtBatch1) =>
        Positive(throughput) && Positive(throughputAtBatch1) ? throughput!.Value / throughputAtBatch1!.Value : null;

    /// <summary>Absolute scaling efficiency ASE(b) = T(b) / (b · T(1)); 1 is perfect scaling.</summary>
    public static double? AbsoluteScalingEfficiency(double? throughput, double? throughputAtBatch1, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        return RelativeThroughputRate(throughput, throughputAtBatch1) is { } rtr ? rtr / batch : null;
    }

    /// <summary>Batch scaling resilience BSR(b) = ASE_c(b) / ASE_baseline(b); above 1 the configuration scales more gracefully than the baseline.</summary>
    public static double? BatchScalingResilience(double? ase, double? baselineAse) =>
        Positive(ase) && Positive(baselineAse) ? ase!.Value / baselineAse!.Value : null;

    /// <summary>Speed-up of a configuration over a reference by throughput: T_c / T_ref (the "throughput multiplier" and the improvement factor).</summary>
    public static double? Speedup(double? throughput, double? referenceThroughput) =>
        Positive(throughput) && Positive(referenceThroughput) ? throughput!.Value / referenceThroughput!.Value : null;

    /// <summary>Latency speed-up L_ref / L_c (the quantization study's Eq. 19), from per-call latencies at the same batch.</summary>
    public static double? LatencySpeedup(double? latency, double? referenceLatency) =>
        Positive(latency) && Positive(referenceLatency) ? referenceLatency!.Value / latency!.Value : null;

    /// <summary>Throughput × per-call latency ÷ batch: 1 when throughput and latency describe the same calls (the sanity check seed 000 fails).</summary>
    public static double? ThroughputLatencyConsistency(double? throughput, double? meanLatencySeconds, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        return Positive(throughput) && Positive(meanLatencySeconds) ? throughput!.Value * meanLatencySeconds!.Value / batch : null;
    }

    /// <summary>Samples per joule = 1 / (joules per sample).</summary>
    public static double? SamplesPerJoule(double? joulesPerSample) => Positive(joulesPerSample) ? 1 / joulesPerSample!.Value : null;

    /// <summary>Average power over a window: joules / seconds.</summary>
    public static double? Power(double? joules, double? seconds) => Positive(joules) && Positive(seconds) ? joules!.Value / seconds!.Value : null;

    /// <summary>Each stage's share of the sum of the stages (zero and positive times only); empty when the sum is not positive.</summary>
    public static IReadOnlyDictionary<string, double> Shares(IReadOnlyDictionary<string, double> stageSeconds)
    {
        ArgumentNullException.ThrowIfNull(stageSeconds);
        if (stageSeconds.Values.Any(v => v < 0 || !double.IsFinite(v)))
        {
            throw new ArgumentException("stage times must be finite and not negative", nameof(stageSeconds));
        }

        var total = stageSeconds.Values.Sum();
        return total > 0 ? stageSeconds.ToDictionary(s => s.Key, s => s.Value / total, StringComparer.Ordinal) : new Dictionary<string, double>(StringComparer.Ordinal);
    }

    /// <summary>
    /// The bottleneck of a pipeline: the stage with the lowest throughput when run alone
    /// (samples/s); null when there is none. Ties go to the first stage listed.
    /// </summary>
    public static string? Bottleneck(IReadOnlyList<(string Stage, double Throughput)> aloneThroughput)
    {
        ArgumentNullException.ThrowIfNull(aloneThroughput);
        string? worst = null;
        var lowest = double.PositiveInfinity;
        foreach (var (stage, throughput) in aloneThroughput)
        {
            if (throughput > 0 && throughput < lowest)
            {
                lowest = throughput;
                worst = stage;
            }
        }

        return worst;
    }

    /// <summary>Throughput of a serial pipeline from its stages' per-sample seconds: 1 / Σ t.</summary>
    public static double? SerialThroughput(IEnumerable<double> perSampleSeconds)
    {
        ArgumentNullException.ThrowIfNull(perSampleSeconds);
        var total = perSampleSeconds.Sum();
        return total > 0 ? 1 / total : null;
    }

    /// <summary>Slope of the least-squares line through (x, y); null with fewer than two distinct x.</summary>
    public static double? LeastSquaresSlope(IReadOnlyList<(double X, double Y)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 2)
        {
            return null;
        }

        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        double sxx = 0, sxy = 0;
        foreach (var (x, y) in points)
        {
            sxx += (x - meanX) * (x - meanX);
            sxy += (x - meanX) * (y - meanY);
        }

        return sxx > 0 ? sxy / sxx : null;
    }

    /// <summary>Depth retention: speed-up at the deepest stack ÷ speed-up with the shallowest (one block).</summary>
    public static double? Retention(IReadOnlyList<(int Depth, double Speedup)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 2)
        {
            return null;
        }

        var shallow = points.MinBy(p => p.Depth);
        var deep = points.MaxBy(p => p.Depth);
        return shallow.Depth == deep.Depth || shallow.Speedup <= 0 ? null : deep.Speedup / shallow.Speedup;
    }

    private static bool Positive(double? value) => value is { } v && v > 0 && double.IsFinite(v);
}
