using System.Globalization;
using System.Text.Json;
using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.Workloads.Canaries;
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
        foreach (var r in results.Where(r => r.Reason is not null))
        {
            console.MarkupLine($"[grey]{Markup.Escape(r.Canary)} batch {r.Batch}:[/] {Markup.Escape(r.Status.ToString().ToLowerInvariant())}: {Markup.Escape(r.Reason!)}");
        }
    }
}
