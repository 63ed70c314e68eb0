using System.Globalization;
using System.Text.Json;
using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace BenchDaemon.Cli;

/// <summary><c>benchdaemon once</c>: run every configured canary once, print the results, exit 1 if any failed.</summary>
public static class OnceVerb
{
    /// <summary>What is printed when no canaries are configured and the defaults are off.</summary>
    public const string NoCanariesMessage = "No canaries are configured (and Defaults:Canaries is false): nothing was run.";

    public static async Task<int> ExecuteAsync(CliContext context, bool json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (services, loaded) = CommandServices.Build(context, LoggingMode.Command);
        using (services)
        {
            // The defaults depend on the providers a worker's ONNX Runtime has: ask one.
            var description = await services.GetRequiredService<WorkerRuntime>().DescribeAsync(cancellationToken);
            var warnings = new List<(string Key, string Problem)>();
            var canaries = ConfigurationPreflight.Canaries(loaded.Configuration, description.UsabilityOrNone, warnings);

            // As `config check` says them: the run goes ahead.
            foreach (var (key, problem) in warnings)
            {
                await context.Error.WriteLineAsync($"{ConfigCheckVerb.WarningPrefix}{key}: {problem}");
            }

            if (canaries.Count == 0)
            {
                await context.Out.WriteLineAsync(json ? "[]" : NoCanariesMessage);
                if (json)
                {
                    await context.Error.WriteLineAsync(NoCanariesMessage);
                }

                return ExitCodes.Ok;
            }

            var executor = services.GetRequiredService<ICanaryExecutor>();
            var results = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected
                ? await RunWithProgressBarsAsync(executor, canaries, cancellationToken)
                : await RunWithProgressLinesAsync(executor, canaries, context.Error, cancellationToken);

            if (json)
            {
                await context.Out.WriteLineAsync(JsonSerializer.Serialize(results, CliJson.Options));
            }
            else
            {
                Render(context.CreateConsole(), results);
            }

            return results.Any(r => r.Status == CanaryStatus.Failed) ? ExitCodes.CanaryFailed : ExitCodes.Ok;
        }
    }

    // Every canary in a worker process: its models prepared first (generated on first use), then each batch size.
    private static async Task<List<CanaryResult>> RunAsync(ICanaryExecutor executor, CanaryDefinition canary, Action<int?> status, CancellationToken cancellationToken)
    {
        var results = new List<CanaryResult>();
        status(null);
        var prepared = await executor.PrepareAsync(canary, cancellationToken);
        foreach (var batch in canary.BatchSizes)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            status(batch);
            results.Add(prepared.Status is { } notReady
                ? CanaryResult.Of(canary, batch, notReady, DateTimeOffset.UtcNow, prepared.ReasonCode, prepared.Reason)
                : await executor.RunAsync(canary, batch, cancellationToken));
        }

        return results;
    }

    // On a terminal: one progress row per canary, on stderr.
    private static async Task<List<CanaryResult>> RunWithProgressBarsAsync(ICanaryExecutor executor, IReadOnlyList<CanaryDefinition> canaries, CancellationToken cancellationToken)
    {
        var results = new List<CanaryResult>();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var tasks = canaries.Select(c => progress.AddTask(Markup.Escape(c.Name), autoStart: false, maxValue: 1)).ToList();
                for (var i = 0; i < canaries.Count && !cancellationToken.IsCancellationRequested; i++)
                {
                    var task = tasks[i];
                    var name = canaries[i].Name;
                    task.StartTask();
                    task.IsIndeterminate = true;
                    var measured = await RunAsync(
                        executor,
                        canaries[i],
                        batch => task.Description = Markup.Escape(batch is { } b ? $"{name} batch {b}" : $"{name}: preparing models"),
                        cancellationToken);
                    results.AddRange(measured);
                    task.IsIndeterminate = false;
                    task.Description = Markup.Escape($"{name}: {string.Join(", ", measured.Select(r => r.Status.ToString().ToLowerInvariant()).Distinct())}");
                    task.Value = 1;
                    task.StopTask();
                }
            });
        return results;
    }

    // Redirected: one plain line per run, so logs and CI output stay readable.
    private static async Task<List<CanaryResult>> RunWithProgressLinesAsync(ICanaryExecutor executor, IReadOnlyList<CanaryDefinition> canaries, TextWriter error, CancellationToken cancellationToken)
    {
        var results = new List<CanaryResult>();
        var total = canaries.Sum(c => c.BatchSizes.Count);
        var started = 0;
        for (var i = 0; i < canaries.Count && !cancellationToken.IsCancellationRequested; i++)
        {
            var canary = canaries[i];
            results.AddRange(await RunAsync(
                executor,
                canary,
                batch =>
                {
                    if (batch is { } b)
                    {
                        error.WriteLine($"[{++started}/{total}] {canary.Name} batch {b} on {canary.Provider} {canary.Precision}…");
                    }
                },
                cancellationToken));
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
