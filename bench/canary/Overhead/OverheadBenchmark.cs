using System.Diagnostics;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Bench.Canary;

/// <summary>
/// Part 1 of F3: per-call harness overhead of <see cref="CanaryRunner"/> against a bare loop,
/// in one process, with the arms interleaved round by round (A B C, then C B A, …):
/// <list type="bullet">
/// <item>A: <see cref="CanaryRunner.Run(CanaryDefinition, int, CancellationToken)"/> with exactly N measured calls;</item>
/// <item>B: <see cref="BareLoop.TimeEachCall"/>, two timestamps around each call, kept in raw
/// ticks; its median is also given as CanaryRunner would report it, through
/// <see cref="Stopwatch.GetElapsedTime(long, long)"/>, whose <see cref="TimeSpan"/> truncates to 100 ns;</item>
/// <item>C: <see cref="BareLoop.TimeBatch"/>, one timestamp pair around all N calls.</item>
/// </list>
/// Every arm creates its session and warms up each round, as the runner does. A first round of
/// every model is run and discarded so that JIT tiering has settled before anything counts.
/// </summary>
internal sealed class OverheadBenchmark(CanaryRunner runner, TextWriter progress)
{
    private const double GoalMicros = 2;
    private const double GoalShare = 0.02;

    public IReadOnlyList<ModelRounds> Run(string modelDirectory, IReadOnlyList<(string Model, int Iterations)> cases, int rounds)
    {
        var results = new List<ModelRounds>();
        foreach (var (model, iterations) in cases)
        {
            var path = BenchModels.PathOf(modelDirectory, model);
            var definition = Definition(model, path, iterations);
            var measured = new List<Round>();
            for (var round = 0; round <= rounds; round++)
            {
                // Round 0 warms the JIT and the allocator up and is not counted.
                var order = round % 2 == 0 ? "ABC" : "CBA";
                double a50 = 0, aMean = 0, aWall = 0, b50 = 0, b50Rounded = 0, bMean = 0, bWall = 0, cWall = 0;
                foreach (var arm in order)
                {
                    switch (arm)
                    {
                        case 'A':
                            (a50, aMean, aWall) = RunCanary(definition);
                            break;
                        case 'B':
                            (b50, b50Rounded, bMean, bWall) = RunBareEach(path, iterations);
                            break;
                        default:
                            cWall = RunBareBatch(path, iterations);
                            break;
                    }
                }

                progress.WriteLine($"[overhead] {model} round {round}{(round == 0 ? " (discarded)" : string.Empty)} {order}: "
                    + $"A p50 {Statistics.Micros(a50)} µs, B p50 {Statistics.Micros(b50)} µs, "
                    + $"A wall {Statistics.Micros(aWall)} µs, B wall {Statistics.Micros(bWall)} µs, C {Statistics.Micros(cWall)} µs");
                if (round > 0)
                {
                    measured.Add(new Round(a50, aMean, aWall, b50, b50Rounded, bMean, bWall, cWall));
                }
            }

            results.Add(new ModelRounds(model, iterations, measured));
        }

        return results;
    }

    public static void WriteTables(TextWriter output, IReadOnlyList<ModelRounds> results)
    {
        var rounds = results.Count > 0 ? results[0].Rounds.Count : 0;
        output.WriteLine($"Per-call latency, µs: median over {rounds} interleaved rounds [interquartile range across rounds].");
        output.WriteLine("A = CanaryRunner.Run; B = bare RunWithBinding loop with a timestamp pair per call (raw ticks;");
        output.WriteLine("\"B p50 @100 ns\" = the same calls through Stopwatch.GetElapsedTime, as CanaryRunner records them);");
        output.WriteLine("C = bare loop timed as one block (wall time / N). \"wall/call\" = measured window / N.");
        output.WriteLine();
        output.WriteLine("| model | N | A p50 | B p50 | B p50 @100 ns | A mean | B mean | A wall/call | B wall/call | C wall/call |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in results)
        {
            var r = m.Rounds;
            output.WriteLine($"| {m.Model} | {m.Iterations} "
                + $"| {Statistics.MicrosSpread([.. r.Select(x => x.CanaryP50)])} "
                + $"| {Statistics.MicrosSpread([.. r.Select(x => x.BareP50)])} "
                + $"| {Statistics.MicrosSpread([.. r.Select(x => x.BareP50Rounded)])} "
                + $"| {Statistics.MicrosSpread([.. r.Select(x => x.CanaryMean)])} "
                + $"| {Statistics.MicrosSpread([.. r.Select(x => x.BareMean)])} "
                + $"| {Statistics.MicrosSpread([.. r.Select(x => x.CanaryWall)])} "
                + $"| {Statistics.MicrosSpread([.. r.Select(x => x.BareWall)])} "
                + $"| {Statistics.MicrosSpread([.. r.Select(x => x.BatchWall)])} |");
        }

        output.WriteLine();
        output.WriteLine($"Differences, paired round by round: median Δ in µs and %, [interquartile range] of the per-round % (goal: ≤ {GoalMicros} µs or ≤ {GoalShare:P0}).");
        output.WriteLine();
        output.WriteLine("| model | comparison | Δ µs | Δ % [range] | goal met |");
        output.WriteLine("|---|---|---:|---:|---|");
        foreach (var m in results)
        {
            Compare(output, m, "A p50 − B p50 (reported latency vs bare per-call)", x => x.CanaryP50, x => x.BareP50, judged: true);
            Compare(output, m, "A p50 − B p50 @100 ns (loop alone, same rounding)", x => x.CanaryP50, x => x.BareP50Rounded, judged: false);
            Compare(output, m, "A wall/call − C (whole harness iteration vs untimed call)", x => x.CanaryWall, x => x.BatchWall, judged: true);
            Compare(output, m, "B wall/call − C (cost of the timestamp pair alone)", x => x.BareWall, x => x.BatchWall, judged: false);
        }
    }

    private static void Compare(TextWriter output, ModelRounds m, string label, Func<Round, double> harness, Func<Round, double> bare, bool judged)
    {
        var diffs = m.Rounds.Select(x => harness(x) - bare(x)).ToList();
        var ratios = m.Rounds.Select(x => harness(x) / bare(x)).ToList();
        var diff = Statistics.Median(diffs);
        var ratio = Statistics.Median(ratios);
        var met = !judged ? "–" : diff * 1e6 <= GoalMicros || ratio - 1 <= GoalShare ? "yes" : "**no**";
        output.WriteLine($"| {m.Model} | {label} | {Statistics.SignedMicros(diff)} | {Statistics.PercentSpread(ratios)} | {met} |");
    }

    private static CanaryDefinition Definition(string model, string path, int iterations)
    {
        var (canaries, errors) = CanaryExpander.Expand(
        [
            new CanaryOptions
            {
                Name = model,
                Model = path,
                BatchSizes = [1],
                Threads = 1,
                Measure = new MeasureOptions
                {
                    MinIterations = iterations,
                    // No minimum window: exactly N measured calls, as in the bare arms.
                    MinDuration = TimeSpan.Zero,
                    Budget = TimeSpan.FromMinutes(5),
                },
            },
        ]);
        return errors.Count == 0
            ? canaries[0]
            : throw new InvalidOperationException(string.Join("; ", errors.Select(e => $"{e.Key}: {e.Problem}")));
    }

    private (double P50, double Mean, double Wall) RunCanary(CanaryDefinition definition)
    {
        var result = runner.Run(definition, 1);
        if (result.LatencySeconds is not { } latency || result.Status is CanaryStatus.Failed or CanaryStatus.Skipped)
        {
            throw new InvalidOperationException($"canary {definition.Name} did not run: {result.Status} {result.Reason}");
        }

        return (latency.P50, latency.Mean, result.MeasureSeconds!.Value / result.Iterations);
    }

    private static (double P50, double P50Rounded, double Mean, double Wall) RunBareEach(string path, int iterations)
    {
        using var loop = new BareLoop(path, batch: 1);
        loop.WarmUp();
        var (ticks, window) = loop.TimeEachCall(iterations);
        var exact = ticks.Select(t => t / (double)Stopwatch.Frequency).ToArray();
        var rounded = ticks.Select(t => Stopwatch.GetElapsedTime(0, t).TotalSeconds);
        return (Statistics.Median(exact), Statistics.Median(rounded), exact.Average(), window / iterations);
    }

    private static double RunBareBatch(string path, int iterations)
    {
        using var loop = new BareLoop(path, batch: 1);
        loop.WarmUp();
        return loop.TimeBatch(iterations) / iterations;
    }

    /// <summary>One interleaved round: per-call seconds of each arm.</summary>
    internal sealed record Round(double CanaryP50, double CanaryMean, double CanaryWall, double BareP50, double BareP50Rounded, double BareMean, double BareWall, double BatchWall);

    internal sealed record ModelRounds(string Model, int Iterations, IReadOnlyList<Round> Rounds);
}
