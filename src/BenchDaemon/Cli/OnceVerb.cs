using System.Globalization;
using System.Text.Json;
using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace BenchDaemon.Cli;

/// <summary><c>benchdaemon once</c>: run every configured canary once, print the results, exit 1 if any failed.</summary>
public static class OnceVerb
{
    /// <summary>What is printed when no canaries are configured and the defaults are off.</summary>
    public const string NoCanariesMessage = "No canaries are configured (and Defaults:Canaries is false): nothing was run.";

    public static Task<int> ExecuteAsync(CliContext context, bool json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (services, loaded) = CommandServices.Build(context, LoggingMode.Command);
        using (services)
        {
            var canaries = ConfigurationPreflight.Canaries(loaded.Configuration, services.GetRequiredService<OnnxRuntimeInfo>().Providers);
            if (canaries.Count == 0)
            {
                context.Out.WriteLine(json ? "[]" : NoCanariesMessage);
                if (json)
                {
                    context.Error.WriteLine(NoCanariesMessage);
                }

                return Task.FromResult(ExitCodes.Ok);
            }

            var runner = services.GetRequiredService<CanaryRunner>();
            var runs = canaries.SelectMany(c => c.BatchSizes.Select(b => (Canary: c, Batch: b))).ToList();
            var results = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected
                ? RunWithProgressBars(runner, runs, cancellationToken)
                : RunWithProgressLines(runner, runs, context.Error, cancellationToken);

            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(results, CliJson.Options));
            }
            else
            {
                Render(context.CreateConsole(), results);
            }

            return Task.FromResult(results.Any(r => r.Status == CanaryStatus.Failed) ? ExitCodes.CanaryFailed : ExitCodes.Ok);
        }
    }

    // On a terminal: one progress row per canary and batch size, on stderr.
    private static List<CanaryResult> RunWithProgressBars(CanaryRunner runner, List<(CanaryDefinition Canary, int Batch)> runs, CancellationToken cancellationToken)
    {
        var results = new List<CanaryResult>();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .Start(progress =>
            {
                var tasks = runs.Select(r => progress.AddTask(Markup.Escape($"{r.Canary.Name} batch {r.Batch}"), autoStart: false, maxValue: 1)).ToList();
                for (var i = 0; i < runs.Count && !cancellationToken.IsCancellationRequested; i++)
                {
                    tasks[i].StartTask();
                    tasks[i].IsIndeterminate = true;
                    var result = runner.Run(runs[i].Canary, runs[i].Batch, cancellationToken);
                    results.Add(result);
                    tasks[i].IsIndeterminate = false;
                    tasks[i].Description = Markup.Escape($"{runs[i].Canary.Name} batch {runs[i].Batch}: {result.Status.ToString().ToLowerInvariant()}");
                    tasks[i].Value = 1;
                    tasks[i].StopTask();
                }
            });
        return results;
    }

    // Redirected: one plain line per run, so logs and CI output stay readable.
    private static List<CanaryResult> RunWithProgressLines(CanaryRunner runner, List<(CanaryDefinition Canary, int Batch)> runs, TextWriter error, CancellationToken cancellationToken)
    {
        var results = new List<CanaryResult>();
        for (var i = 0; i < runs.Count && !cancellationToken.IsCancellationRequested; i++)
        {
            var (canary, batch) = runs[i];
            error.WriteLine($"[{i + 1}/{runs.Count}] {canary.Name} batch {batch} on {canary.Provider} {canary.Precision}…");
            results.Add(runner.Run(canary, batch, cancellationToken));
        }

        return results;
    }

    /// <summary>The CUDA micro-canaries again, with what they measure: TFLOP/s, GB/s, share of peak, PCIe link.</summary>
    private static void RenderMicroCanaries(IAnsiConsole console, IReadOnlyList<CanaryResult> results)
    {
        var micro = results.Where(r => CudaModels.IsCuda(r.Model)).ToList();
        if (micro.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("GPU micro-canaries");
        foreach (var column in new[] { "canary", "device", "precision", "size", "status", "TFLOP/s", "GB/s", "peak", "pJ/FLOP", "PCIe link (now / max)" })
        {
            table.AddColumn(new TableColumn(column));
        }

        foreach (var r in micro)
        {
            var size = r.Size is not { } n ? "-"
                : r.Model == CudaModels.Gemm ? string.Create(CultureInfo.InvariantCulture, $"{n}³")
                : string.Create(CultureInfo.InvariantCulture, $"{n} MiB");
            var bandwidth = r.BandwidthBytesPerSecond is { Count: > 0 } b
                ? string.Join(", ", b.Select(d => string.Create(CultureInfo.InvariantCulture, $"{Direction(d.Key)} {d.Value / 1e9:F1}")))
                : "-";
            table.AddRow(
                Markup.Escape(r.Canary),
                Markup.Escape(r.DeviceName ?? "-"),
                r.Model == CudaModels.Gemm ? r.Precision.ToString() : "-",
                size,
                Markup.Escape(r.Status.ToString().ToLowerInvariant()),
                r.ThroughputFlopsPerSecond is { } f ? (f / 1e12).ToString("F1", CultureInfo.InvariantCulture) : "-",
                Markup.Escape(bandwidth),
                r.PeakRatio is { } p ? p.ToString("P1", CultureInfo.InvariantCulture) : "-",
                r.EnergyJoulesPerFlop is { } j ? (j * 1e12).ToString("F3", CultureInfo.InvariantCulture) : "-",
                Markup.Escape(Link(r.PcieLink)));
        }

        console.Write(table);
    }

    private static string Direction(string direction) => direction switch
    {
        CudaCanaryRunner.Directions.HostToDevice => "H2D",
        CudaCanaryRunner.Directions.DeviceToHost => "D2H",
        CudaCanaryRunner.Directions.DeviceToDevice => "D2D",
        _ => direction,
    };

    private static string Link(PcieLink? link)
    {
        if (link is null)
        {
            return "-";
        }

        static string Value(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "?";
        var text = $"Gen{Value(link.CurrentGeneration)} x{Value(link.CurrentWidth)} / Gen{Value(link.MaxGeneration)} x{Value(link.MaxWidth)}";
        return link.Degraded ? text + " (degraded)" : text;
    }

    private static void Render(IAnsiConsole console, IReadOnlyList<CanaryResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in new[] { "canary", "batch", "status", "iter", "p50 ms", "p99 ms", "mean ms", "cv", "samples/s", "session s", "J/sample", "drift (max abs / cos / top-1)" })
        {
            table.AddColumn(new TableColumn(column));
        }

        static string Ms(double? seconds) => seconds is { } s ? (s * 1000).ToString("F3", CultureInfo.InvariantCulture) : "-";
        static string Num(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
        foreach (var r in results)
        {
            var status = r.Status switch
            {
                CanaryStatus.Ok => "[green]ok[/]",
                CanaryStatus.Unstable => "[yellow]unstable[/]",
                CanaryStatus.Skipped => "[grey]skipped[/]",
                _ => "[red]failed[/]",
            };
            var drift = r.Drift is { } d
                ? string.Create(CultureInfo.InvariantCulture, $"{d.MaxAbsError:G3} / {d.CosineSimilarity:F5} / {(d.Top1Agreement is { } t ? t.ToString("P0", CultureInfo.InvariantCulture) : "-")}")
                : "-";
            table.AddRow(
                Markup.Escape(r.Canary),
                r.Batch.ToString(CultureInfo.InvariantCulture),
                status,
                r.Iterations.ToString(CultureInfo.InvariantCulture),
                Ms(r.LatencySeconds?.P50),
                Ms(r.LatencySeconds?.P99),
                Ms(r.LatencySeconds?.Mean),
                Num(r.LatencySeconds?.CoefficientOfVariation, "F3"),
                Num(r.ThroughputSamplesPerSecond, "F1"),
                Num(r.SessionCreateSeconds, "F3"),
                Num(r.EnergyJoulesPerSample, "G3"),
                Markup.Escape(drift));
        }

        console.Write(table);
        RenderMicroCanaries(console, results);
        foreach (var r in results.Where(r => r.Reason is not null))
        {
            console.MarkupLine($"[grey]{Markup.Escape(r.Canary)} batch {r.Batch}:[/] {Markup.Escape(r.Status.ToString().ToLowerInvariant())}: {Markup.Escape(r.Reason!)}");
        }
    }
}
