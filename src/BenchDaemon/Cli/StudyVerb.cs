using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using BenchDaemon.Hosting;
using BenchDaemon.Probes;
using BenchDaemon.Telemetry;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Inputs;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Studies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using Spectre.Console;

namespace BenchDaemon.Cli;

/// <summary>
/// <c>benchdaemon study KIND</c>: sweep a study's cells through the canary engine and write
/// CSV, JSON, a Markdown report with charts and the environment fingerprint (docs/STUDIES.md).
/// </summary>
public static class StudyVerb
{
    /// <summary>Builds the <c>study</c> command.</summary>
    public static Command CreateCommand(Func<ParseResult, CliContext> context, Option<bool> jsonOption)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(jsonOption);
        var kind = new Argument<string>("kind") { Description = "batch, precision, providers, pipeline, energy or depth." };
        kind.Validators.Add(result =>
        {
            var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
            if (token is not null && !TryKind(token, out _))
            {
                result.AddError($"'{token}' is not a study; studies: batch, precision, providers, pipeline, energy, depth.");
            }
        });

        Option<string[]> List(string name, string description, string helpName) => new(name)
        {
            Description = description + " Comma-separated or repeated.",
            HelpName = helpName,
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [],
        };

        var output = new Option<string?>("--out", "-o") { Description = "Folder for the report, CSV, JSON and charts. Default: ./study-NAME.", HelpName = "DIR" };
        var name = new Option<string?>("--name") { Description = "Study name (folder, metric label). Default: the kind.", HelpName = "NAME" };
        var models = List("--models", "Models as canaries name them: builtin:resnet50, a .onnx path, or a micro-canary such as cuda:gemm.", "MODEL");
        var providers = List("--providers", "Providers (CPU, CUDA, TensorRT…); one this ONNX Runtime lacks is recorded as skipped.", "PROVIDER");
        var precisions = List("--precisions", "Precisions: FP32, FP16, INT8.", "PRECISION");
        var batches = List("--batches", "Batch sizes.", "N");
        var sizes = List("--image-sizes", "Pipeline: image size classes small, medium, large.", "SIZE");
        var convWidths = List("--conv-widths", "Depth: conv block widths.", "N");
        var attentionWidths = List("--attention-widths", "Depth: attention block embeddings (multiples of 64).", "N");
        var depths = List("--depths", "Depth: stack depths.", "N");
        var convSize = new Option<int?>("--conv-size") { Description = "Depth: conv input height and width (default 56; the paper's 244 is slow on CPUs).", HelpName = "N" };
        var baseline = new Option<string?>("--baseline")
        {
            Description = "Baseline configuration PROVIDER[:LEVEL], LEVEL one of disabled, basic, extended, all. Default: CPU:disabled.",
            HelpName = "PROVIDER[:LEVEL]",
        };
        var optimization = new Option<string?>("--optimization") { Description = "Graph optimisation of the measured configuration: disabled, basic, extended, all (default).", HelpName = "LEVEL" };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads per session (0: ONNX Runtime's default).", HelpName = "N" };
        var quick = new Option<bool>("--quick") { Description = "Short cells and test-sized default models: a first look in a minute or two." };
        var iterations = new Option<int?>("--iterations") { Description = "Measure each cell at least this many calls (default: 30, quick 5).", HelpName = "N" };
        var seconds = new Option<double?>("--seconds") { Description = "Measure each cell at least this long (default: 2, quick 0.2).", HelpName = "S" };
        var budget = new Option<double?>("--budget") { Description = "Give each cell at most this long, warm-up included (default: 60, quick 10).", HelpName = "S" };

        var command = new Command("study", "Run a study (batch, precision, providers, pipeline, energy, depth) and write its report, CSV, JSON and charts.")
        {
            kind, output, name, models, providers, precisions, batches, sizes, convWidths, attentionWidths, depths, convSize, baseline, optimization, threads, quick, iterations, seconds, budget, jsonOption,
        };
        command.SetAction((parse, ct) =>
        {
            var ctx = context(parse);
            string[] Values(Option<string[]> option) =>
                [.. (parse.GetValue(option) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
            var problems = new List<string>();
            TryKind(parse.GetValue(kind)!, out var studyKind);
            var options = new StudyOptions
            {
                Kind = studyKind,
                Name = parse.GetValue(name) ?? string.Empty,
                Models = [.. Values(models)],
                Providers = [.. Values(providers)],
                Precisions = [.. Parse<Precision>(Values(precisions), "--precisions", v => Enum.TryParse<Precision>(v, true, out var p) && Enum.IsDefined(p) ? p : null, problems)],
                Batches = [.. Parse(Values(batches), "--batches", Int, problems)],
                ImageSizes = [.. Parse<ImageSizeClass>(Values(sizes), "--image-sizes", v => Enum.TryParse<ImageSizeClass>(v, true, out var s) && Enum.IsDefined(s) ? s : null, problems)],
                ConvWidths = [.. Parse(Values(convWidths), "--conv-widths", Int, problems)],
                AttentionWidths = [.. Parse(Values(attentionWidths), "--attention-widths", Int, problems)],
                Depths = [.. Parse(Values(depths), "--depths", Int, problems)],
                Threads = parse.GetValue(threads),
                ConvImageSize = parse.GetValue(convSize) ?? Workloads.Models.Zoo.BlockConfig.DefaultImageSize,
                Quick = parse.GetValue(quick),
            };
            if (parse.GetValue(iterations) is not null || parse.GetValue(seconds) is not null || parse.GetValue(budget) is not null)
            {
                var measure = options.Quick ? StudyDefaults.QuickMeasure() : StudyDefaults.FullMeasure();
                measure.MinIterations = parse.GetValue(iterations) ?? measure.MinIterations;
                if (parse.GetValue(seconds) is { } minSeconds)
                {
                    measure.MinDuration = minSeconds is >= 0 and <= 3600 ? TimeSpan.FromSeconds(minSeconds) : TimeSpan.MinValue;
                }

                if (parse.GetValue(budget) is { } budgetSeconds)
                {
                    measure.Budget = budgetSeconds is > 0 and <= 86_400 ? TimeSpan.FromSeconds(budgetSeconds) : TimeSpan.Zero;
                }

                options.Measure = measure;
            }

            if (parse.GetValue(optimization) is { } level)
            {
                if (Level(level) is { } l)
                {
                    options.GraphOptimization = l;
                }
                else
                {
                    problems.Add($"--optimization: '{level}' is not a level (disabled, basic, extended, all)");
                }
            }

            if (parse.GetValue(baseline) is { } b)
            {
                var parts = b.Split(':', 2);
                options.BaselineProvider = parts[0].Trim();
                if (parts.Length == 2)
                {
                    if (Level(parts[1]) is { } l)
                    {
                        options.BaselineGraphOptimization = l;
                    }
                    else
                    {
                        problems.Add($"--baseline: '{parts[1]}' is not a level (disabled, basic, extended, all)");
                    }
                }
            }

            return ExecuteAsync(ctx, options, parse.GetValue(output), parse.GetValue(jsonOption), problems, ct);
        });
        return command;
    }

    /// <summary>Runs the study of <paramref name="options"/>; <paramref name="problems"/> are argument errors found while parsing.</summary>
    public static Task<int> ExecuteAsync(CliContext context, StudyOptions options, string? outputDirectory, bool json, IReadOnlyList<string> problems, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problems);
        var errors = problems.Concat(StudyPlanner.Validate(options).Select(e => $"{Flag(e.Field)}: {e.Problem}")).ToList();
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                context.Error.WriteLine($"benchdaemon: study: {error}");
            }

            context.Error.WriteLine("Run 'benchdaemon study --help' for usage.");
            return Task.FromResult(ExitCodes.Usage);
        }

        var resolved = StudyDefaults.Apply(options);
        var directory = Path.GetFullPath(outputDirectory ?? $"study-{resolved.EffectiveName}");
        try
        {
            Directory.CreateDirectory(directory);
            using var probe = File.Create(Path.Combine(directory, ".write-test"), 1, FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"benchdaemon: study: cannot write to '{directory}': {ex.Message}");
            return Task.FromResult(ExitCodes.CantCreate);
        }

        var (services, _) = CommandServices.Build(context, LoggingMode.Command);
        using (services)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
            {
                signal.Cancel = true;
                stop.Cancel();
            });
            try
            {
                // Every cell runs in a worker process; this one only plans, waits and writes the report.
                var runtime = services.GetRequiredService<WorkerRuntime>().DescribeAsync(stop.Token).GetAwaiter().GetResult();
                var energy = services.GetService<IEnergyMeter>();
                var environment = StudyEnvironment.Capture(BuildInfoSource.Version, runtime.OnnxRuntimeVersion, runtime.Providers, services.GetService<IGpuInventory>(), energy);
                var plan = StudyPlanner.Plan(resolved, Path.Combine(directory, "trt-engines"));
                var executor = services.GetRequiredService<ICanaryExecutor>();
                var runner = new StudyRunner((o, cell, energyReason, t) => executor.MeasureCellAsync(o, cell, energyReason, t).GetAwaiter().GetResult(), energy);
                context.Error.WriteLine($"Study {resolved.EffectiveName}: {plan.Count} cells → {directory}");
                var run = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected
                    ? RunWithProgressBar(runner, resolved, plan, environment, stop.Token)
                    : runner.Run(resolved, plan, environment, (i, cell) => context.Error.WriteLine($"[{i + 1}/{plan.Count}] {Describe(cell)}"), stop.Token);
                var files = StudyReportWriter.Write(run, directory);
                if (json)
                {
                    context.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(run.Cells, CliJson.Options));
                }
                else
                {
                    var console = context.CreateConsole();
                    console.MarkupLine(Markup.Escape($"{run.Cells.Count(c => c.Status is CanaryStatus.Ok or CanaryStatus.Unstable)} measured, "
                        + $"{run.Cells.Count(c => c.Status == CanaryStatus.Failed)} failed, {run.Cells.Count(c => c.Status == CanaryStatus.Skipped)} skipped"
                        + (run.Interrupted ? $", interrupted after {run.Cells.Count} of {run.PlannedCells}" : string.Empty)));
                    foreach (var file in files)
                    {
                        console.MarkupLine(Markup.Escape(file));
                    }
                }

                return Task.FromResult(run.Interrupted ? ExitCodes.Interrupted : ExitCodes.Ok);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }
    }

    private static StudyRun RunWithProgressBar(StudyRunner runner, StudyOptions options, IReadOnlyList<StudyCellPlan> plan, StudyEnvironment environment, CancellationToken token)
    {
        StudyRun? run = null;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask(Markup.Escape($"{options.EffectiveName}: {plan.Count} cells"), maxValue: plan.Count);
                run = runner.Run(options, plan, environment, (i, cell) =>
                {
                    task.Description = Markup.Escape($"{i + 1}/{plan.Count} {Describe(cell)}");
                    task.Increment(1);
                }, token);
            });
        return run!;
    }

    private static string Describe(StudyCell c)
    {
        var mode = c.Mode == StudyCellPlan.InferenceMode ? string.Empty : " " + c.Mode;
        var size = c.ImageSize is null ? string.Empty : " " + c.ImageSize;
        var throughput = c.ThroughputSamplesPerSecond is { } t ? string.Create(CultureInfo.InvariantCulture, $" {t:F1}/s") : string.Empty;
        var reason = c.Reason is { } r && c.Status is CanaryStatus.Failed or CanaryStatus.Skipped ? $" ({r})" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{c.Model} {c.Provider} {c.Precision} b{c.Batch} {c.Configuration}{mode}{size}: {c.Status.ToString().ToLowerInvariant()}{throughput}{reason}");
    }

    private static bool TryKind(string token, out StudyKind kind) =>
        Enum.TryParse(token, ignoreCase: true, out kind) && Enum.IsDefined(kind) && !int.TryParse(token, out _);

    private static int? Int(string value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static GraphOptimizationLevel? Level(string value) => value.Trim().ToLowerInvariant() switch
    {
        "disabled" or "none" => GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        "all" => GraphOptimizationLevel.ORT_ENABLE_ALL,
        _ => null,
    };

    private static List<T> Parse<T>(IEnumerable<string> values, string option, Func<string, T?> parse, List<string> problems)
        where T : struct
    {
        var parsed = new List<T>();
        foreach (var value in values)
        {
            if (parse(value) is { } v)
            {
                parsed.Add(v);
            }
            else
            {
                problems.Add($"{option}: '{value}' is not valid");
            }
        }

        return parsed;
    }

    private static string Flag(string field) => field switch
    {
        nameof(StudyOptions.Models) => "--models",
        nameof(StudyOptions.Providers) => "--providers",
        nameof(StudyOptions.Precisions) => "--precisions",
        nameof(StudyOptions.Batches) => "--batches",
        nameof(StudyOptions.ImageSizes) => "--image-sizes",
        nameof(StudyOptions.ConvWidths) => "--conv-widths",
        nameof(StudyOptions.AttentionWidths) => "--attention-widths",
        nameof(StudyOptions.Depths) => "--depths",
        nameof(StudyOptions.Threads) => "--threads",
        nameof(StudyOptions.ConvImageSize) => "--conv-size",
        nameof(StudyOptions.Name) => "--name",
        nameof(StudyOptions.BaselineProvider) => "--baseline",
        "Measure:MinIterations" => "--iterations",
        "Measure:MinDuration" => "--seconds",
        "Measure:Budget" => "--budget",
        _ => field,
    };
}
