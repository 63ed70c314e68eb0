using System.Globalization;
using System.Text;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Studies;

/// <summary>The Markdown report and the charts of a study, by kind.</summary>
public static class StudyReport
{
    /// <summary>Draws the charts of <paramref name="run"/> into <paramref name="directory"/>; returns (file name, title) of each.</summary>
    public static IReadOnlyList<(string File, string Title)> Charts(StudyRun run, string directory)
    {
        ArgumentNullException.ThrowIfNull(run);
        var charts = new List<(string, string)>();
        var ok = run.Cells.Where(c => c.ThroughputSamplesPerSecond is > 0 && c.Status is CanaryStatus.Ok or CanaryStatus.Unstable).ToList();
        void LineChart(string file, string title, string x, string y, IEnumerable<StudyCharts.Series> series, bool logX = true, double? reference = null)
        {
            StudyCharts.Line(Path.Combine(directory, file), title, x, y, series.Where(s => s.Points.Count > 0).ToList(), logX, referenceY: reference);
            charts.Add((file, title));
        }

        IEnumerable<StudyCharts.Series> ByBatch(IEnumerable<StudyCell> cells, Func<StudyCell, double?> value) =>
            cells.GroupBy(SeriesName).Select(g => new StudyCharts.Series(g.Key, g.Where(c => value(c) is not null).Select(c => ((double)c.Batch, value(c)!.Value)).ToList()));

        switch (run.Options.Kind)
        {
            case StudyKind.Batch:
                LineChart("throughput.png", "Throughput T(b)", "batch", "samples/s", ByBatch(ok, c => c.ThroughputSamplesPerSecond));
                LineChart("ase.png", "Absolute scaling efficiency ASE(b)", "batch", "ASE", ByBatch(ok, c => c.Ase), reference: 1);
                LineChart("bsr.png", "Batch scaling resilience BSR(b) against the baseline", "batch", "BSR", ByBatch(ok.Where(c => c.Bsr is not null), c => c.Bsr), reference: 1);
                break;
            case StudyKind.Precision:
                LineChart("throughput.png", "Throughput by precision", "batch", "samples/s", ByBatch(ok, c => c.ThroughputSamplesPerSecond));
                LineChart("speedup-provider-fp32.png", "Speed-up over the same provider's FP32", "batch", "×", ByBatch(ok.Where(c => c.SpeedupVsProviderFp32 is not null), c => c.SpeedupVsProviderFp32), reference: 1);
                LineChart("speedup-native.png", "Speed-up over the native FP32 baseline", "batch", "×", ByBatch(ok.Where(c => c.SpeedupVsNativeFp32 is not null), c => c.SpeedupVsNativeFp32), reference: 1);
                break;
            case StudyKind.Providers:
                LineChart("throughput.png", "Standard vs optimised ladder", "batch", "samples/s", ByBatch(ok, c => c.ThroughputSamplesPerSecond));
                break;
            case StudyKind.Pipeline:
                var bars = ok.Where(c => c.StageShares is not null)
                    .Select(c => ($"{c.Model} {c.ImageSize} b{c.Batch}", c.StageShares!)).ToList();
                StudyCharts.StackedShares(Path.Combine(directory, "stage-shares.png"), "Share of end-to-end latency per stage", bars);
                charts.Add(("stage-shares.png", "Share of end-to-end latency per stage"));
                break;
            case StudyKind.Energy:
                var energy = ok.Where(c => c.PowerWatts is not null).ToList();
                StudyCharts.Line(Path.Combine(directory, "power-throughput.png"), "Power vs throughput", "samples/s", "W",
                    energy.GroupBy(SeriesName).Select(g => new StudyCharts.Series(g.Key, g.Select(c => (c.ThroughputSamplesPerSecond!.Value, c.PowerWatts!.Value)).ToList())).ToList(), lines: false);
                charts.Add(("power-throughput.png", "Power vs throughput"));
                LineChart("samples-per-joule.png", "Samples per joule", "batch", "samples/J", ByBatch(energy, c => c.SamplesPerJoule));
                break;
            case StudyKind.Depth:
                var summary = StudyAnalysis.DepthSummary(run.Cells);
                LineChart("speedup-depth.png", "Speed-up over the baseline by depth", "depth", "×",
                    summary.Select(s => new StudyCharts.Series($"{s.Block} {s.Width} {s.Provider} b{s.Batch}", s.Points.Select(p => ((double)p.Depth, p.Speedup)).ToList())), logX: false, reference: 1);
                break;
        }

        return charts;
    }

    /// <summary>The Markdown report.</summary>
    public static string Markdown(StudyRun run, IReadOnlyList<(string File, string Title)> charts)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(charts);
        var o = run.Options;
        var e = run.Environment;
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.Append(inv, $"# Study `{o.EffectiveName}` ({o.Kind.ToString().ToLowerInvariant()})\n\n");
        md.Append("## Environment\n\n| | |\n|---|---|\n");
        md.Append(inv, $"| host | {e.Host} |\n| OS | {e.Os} |\n| CPU | {e.CpuModel} |\n| logical cores | {e.LogicalCores} |\n| .NET | {e.Runtime} |\n");
        md.Append(inv, $"| BenchDaemon | {e.BenchDaemonVersion} |\n| ONNX Runtime | {e.OnnxRuntimeVersion} ({string.Join(", ", e.OnnxRuntimeProviders)}) |\n");
        md.Append(inv, $"| GPUs | {(e.Gpus.Count > 0 ? string.Join("; ", e.Gpus) : "none reported")} |\n");
        md.Append(inv, $"| energy counters | {(e.EnergyCounters.Count > 0 ? string.Join(", ", e.EnergyCounters) : "none readable")} |\n\n");
        md.Append("## Run\n\n");
        md.Append(inv, $"- {run.StartedAt:yyyy-MM-dd HH:mm:ss} to {run.FinishedAt:HH:mm:ss} UTC; {run.Cells.Count} of {run.PlannedCells} planned cells recorded{(run.Interrupted ? " — **interrupted**: the cells not listed were not run" : string.Empty)}.\n");
        md.Append(inv, $"- models: {string.Join(", ", o.Models.DefaultIfEmpty("(block stacks)"))}; providers: {string.Join(", ", o.Providers)}; precisions: {string.Join(", ", o.Precisions)}; batches: {string.Join(", ", o.Batches)}.\n");
        md.Append(inv, $"- measured configuration: graph optimisation `{StudyPlanner.OptimizationLabel(o.GraphOptimization)}`; baseline: {o.BaselineProvider} with graph optimisation `{StudyPlanner.OptimizationLabel(o.BaselineGraphOptimization)}`, FP32.\n");
        if (o.Measure is { } m)
        {
            md.Append(inv, $"- each cell: warm-up {m.WarmupMinIterations}–{m.WarmupMaxIterations} calls (at most {m.WarmupMaxDuration.TotalSeconds:0.#} s), then at least {m.MinIterations} calls and {m.MinDuration.TotalSeconds:0.##} s, at most {m.Budget.TotalSeconds:0.#} s; {(o.Threads == 0 ? "ONNX Runtime's default threads" : $"{o.Threads} threads")}.\n");
        }

        md.Append('\n');
        var ok = run.Cells.Where(c => c.Status is CanaryStatus.Ok or CanaryStatus.Unstable).ToList();
        switch (o.Kind)
        {
            case StudyKind.Batch:
                Table(md, "Batch scaling", ["model", "provider", "precision", "configuration", "batch", "samples/s", "RTR", "ASE", "BSR", "T×L/b"], ok,
                    c => [c.Model, c.Provider, c.Precision.ToString(), c.Configuration, I(c.Batch), N(c.ThroughputSamplesPerSecond, "F1"), N(c.Rtr, "F2"), N(c.Ase, "F3"), N(c.Bsr, "F3"), N(c.Consistency, "F3")]);
                break;
            case StudyKind.Precision:
                Table(md, "Precision matrix", ["model", "provider", "precision", "batch", "samples/s", "× native FP32", "× provider FP32 (T)", "× provider FP32 (latency)", "drift max abs", "cosine", "top-1"], ok,
                    c => [c.Model, c.Configuration == StudyCellPlan.Baseline ? $"{c.Provider} (native baseline)" : c.Provider, c.Precision.ToString(), I(c.Batch), N(c.ThroughputSamplesPerSecond, "F1"),
                        N(c.SpeedupVsNativeFp32, "F2"), N(c.SpeedupVsProviderFp32, "F2"), N(c.LatencySpeedupVsProviderFp32, "F2"), N(c.DriftMaxAbsError, "G3"), N(c.DriftCosine, "F5"), N(c.DriftTop1Agreement, "P0")]);
                break;
            case StudyKind.Providers:
                Table(md, "Standard vs optimised ladder", ["rung", "model", "requested", "effective", "precision", "batch", "session s", "samples/s", "mean ms", "T×L/b", "× standard"], run.Cells,
                    c => [c.Configuration == StudyCellPlan.Baseline ? "standard" : "optimised", c.Model, c.Provider, c.EffectiveProvider ?? "-", c.EffectivePrecision ?? c.Precision.ToString(), I(c.Batch),
                        N(c.SessionCreateSeconds, "F3"), N(c.ThroughputSamplesPerSecond, "F1"), N(c.MeanLatencySeconds * 1000, "F3"), N(c.Consistency, "F3"), N(c.SpeedupVsBaseline, "F2")]);
                break;
            case StudyKind.Pipeline:
                Table(md, "Stage shares of end-to-end latency", ["model", "image", "batch", "decode", "resize", "crop", "normalize", "inference", "end-to-end samples/s", "bottleneck"],
                    ok.Where(c => c.Mode == StudyCellPlan.EndToEndMode),
                    c => [c.Model, c.ImageSize ?? "-", I(c.Batch), Share(c, "decode"), Share(c, "resize"), Share(c, "crop"), Share(c, "normalize"), Share(c, "inference"), N(c.ThroughputSamplesPerSecond, "F1"), c.Bottleneck ?? "-"]);
                Table(md, "Throughput of each part alone vs end to end", ["model", "mode", "image", "batch", "samples/s", "mean ms per call"], ok,
                    c => [c.Model, c.Mode, c.ImageSize ?? "-", I(c.Batch), N(c.ThroughputSamplesPerSecond, "F1"), N(c.MeanLatencySeconds * 1000, "F3")]);
                break;
            case StudyKind.Energy:
                Table(md, "Energy", ["model", "provider", "precision", "batch", "samples/s", "J/sample", "samples/J", "W", "× provider FP32 (T)", "energy"], ok,
                    c => [c.Model, c.Provider, c.Precision.ToString(), I(c.Batch), N(c.ThroughputSamplesPerSecond, "F1"), N(c.EnergyJoulesPerSample, "G3"), N(c.SamplesPerJoule, "F2"), N(c.PowerWatts, "F1"),
                        N(c.SpeedupVsProviderFp32, "F2"), c.EnergyReason is null ? "measured" : "absent: " + c.EnergyReason]);
                break;
            case StudyKind.Depth:
                var summary = StudyAnalysis.DepthSummary(run.Cells);
                var depths = o.Depths.Order().ToList();
                md.Append("## Depth scaling (speed-up over the baseline)\n\n| block | width | provider | precision | batch | ")
                    .AppendJoin(" | ", depths.Select(d => $"d{d}")).Append(" | slope | retention |\n|")
                    .Append(string.Concat(Enumerable.Repeat("---|", 7 + depths.Count))).Append('\n');
                foreach (var s in summary)
                {
                    md.Append(inv, $"| {s.Block} | {s.Width} | {s.Provider} | {s.Precision} | {s.Batch} | ")
                        .AppendJoin(" | ", depths.Select(d => s.Points.FirstOrDefault(p => p.Depth == d) is { Depth: > 0 } p ? p.Speedup.ToString("F2", inv) : "-"))
                        .Append(inv, $" | {N(s.Slope, "F4")} | {N(s.Retention, "F3")} |\n");
                }

                md.Append('\n');
                var deepest = depths.Count > 0 ? depths[^1] : 0;
                var batches = o.Batches.Order().ToList();
                md.Append(inv, $"## Width × batch ASE (depth {deepest}, measured configuration)\n\n| block | width | provider | ")
                    .AppendJoin(" | ", batches.Select(b => $"b{b}")).Append(" |\n|").Append(string.Concat(Enumerable.Repeat("---|", 3 + batches.Count))).Append('\n');
                foreach (var g in ok.Where(c => c.Configuration == StudyCellPlan.Optimised && c.Depth == deepest).GroupBy(c => (c.Block, c.Width, c.Provider)))
                {
                    md.Append(inv, $"| {g.Key.Block} | {g.Key.Width} | {g.Key.Provider} | ")
                        .AppendJoin(" | ", batches.Select(b => N(g.FirstOrDefault(c => c.Batch == b)?.Ase, "F3"))).Append(" |\n");
                }

                md.Append('\n');
                break;
        }

        foreach (var (file, title) in charts)
        {
            md.Append(inv, $"![{title}]({file})\n\n");
        }

        var notRun = run.Cells.Where(c => c.Status is CanaryStatus.Failed or CanaryStatus.Skipped).ToList();
        if (notRun.Count > 0)
        {
            Table(md, "Failed and skipped cells", ["model", "provider", "precision", "batch", "configuration", "status", "reason"], notRun,
                c => [c.Model, c.Provider, c.Precision.ToString(), I(c.Batch), c.Configuration, c.Status.ToString().ToLowerInvariant(), (c.Reason ?? "-").Replace("|", "\\|", StringComparison.Ordinal)]);
        }

        md.Append("Raw data: `cells.csv` and `cells.json` (every cell, every column); `environment.json` (fingerprint and options).\n");
        return md.ToString();
    }

    private static string SeriesName(StudyCell c) =>
        string.Join(' ', new[] { c.Model, c.Provider, c.Precision == Precision.FP32 ? null : c.Precision.ToString(), c.Configuration == StudyCellPlan.Baseline ? "baseline" : null }.Where(s => s is not null));

    private static void Table(StringBuilder md, string title, string[] headers, IEnumerable<StudyCell> cells, Func<StudyCell, string[]> row)
    {
        md.Append("## ").Append(title).Append("\n\n| ").AppendJoin(" | ", headers).Append(" |\n|").Append(string.Concat(Enumerable.Repeat("---|", headers.Length))).Append('\n');
        foreach (var cell in cells)
        {
            md.Append("| ").AppendJoin(" | ", row(cell)).Append(" |\n");
        }

        md.Append('\n');
    }

    private static string Share(StudyCell c, string stage) => c.StageShares is { } s && s.TryGetValue(stage, out var v) ? v.ToString("P1", CultureInfo.InvariantCulture) : "-";

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string N(double? value, string format) => value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
