using System.CommandLine;
using BenchDaemon.Configuration;

namespace BenchDaemon.Cli;

/// <summary>The command line: verbs, global options, and the mapping of failures to exit codes.</summary>
public static class BenchDaemonCli
{
    /// <summary>Parses <paramref name="args"/>, runs the verb and returns the process exit code.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        output ??= Console.Out;
        error ??= Console.Error;

        var configOption = new Option<string?>("--config", "-c")
        {
            Description = $"Configuration file (JSON). Default: {ConfigurationLoader.DefaultConfigPath}, if it exists.",
            HelpName = "PATH",
            Recursive = true,
        };
        var setOption = new Option<string[]>("--set")
        {
            Description = "Override one configuration key, for example --set Metrics:Listen=127.0.0.1:9847. Repeatable; wins over file and environment.",
            HelpName = "KEY=VALUE",
            Recursive = true,
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
        };
        var jsonOption = new Option<bool>("--json") { Description = "Print machine-readable JSON instead of a table." };
        var windowOption = new Option<TimeSpan>("--window")
        {
            Description = "Time between the two readings used for rates such as CPU utilisation.",
            HelpName = "TIMESPAN",
            DefaultValueFactory = _ => ProbeVerb.DefaultWindow,
        };
        windowOption.Validators.Add(result =>
        {
            // Validate the token ourselves: a value that is not a TimeSpan at all must be a
            // usage error too, not a conversion exception.
            var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
            if (token is null)
            {
                return;
            }

            if (!TimeSpan.TryParse(token, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                result.AddError($"--window: '{token}' is not a time span (write hh:mm:ss, for example 00:00:01).");
            }
            else if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromMinutes(10))
            {
                result.AddError("--window must be between 00:00:00.010 and 00:10:00.");
            }
        });

        CliContext Context(ParseResult parse) => new(parse.GetValue(configOption), parse.GetValue(setOption) ?? [], output, error);

        var run = new Command("run", "Run the daemon: sample probes, serve /metrics and /healthz, export OTLP, until SIGTERM or SIGINT. The default verb.");
        run.SetAction(parse => RunVerb.ExecuteAsync(Context(parse)));

        var once = new Command("once", "Run every configured canary once, print a table, and exit 1 if any failed.");
        once.Options.Add(jsonOption);
        once.SetAction((parse, ct) => OnceVerb.ExecuteAsync(Context(parse), parse.GetValue(jsonOption), ct));

        var gpuBenchmarkOption = new Option<bool>("--gpu-benchmark")
        {
            Description = "Instead of a sample, time the GPU probe's reads per GPU (fast sample, energy read, PCIe sample, single calls): median and p99 in microseconds.",
        };
        var iterationsOption = new Option<int>("--iterations")
        {
            Description = $"Timed repetitions for --gpu-benchmark (the PCIe sample at most {ProbeVerb.MaxPcieIterations}).",
            HelpName = "N",
            DefaultValueFactory = _ => ProbeVerb.DefaultIterations,
        };
        iterationsOption.Validators.Add(result =>
        {
            var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
            if (token is not null && (!int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1 || n > 1_000_000))
            {
                result.AddError($"--iterations: '{token}' is not a whole number between 1 and 1000000.");
            }
        });

        var probe = new Command("probe", "Print one sample of every probe (host CPU, memory, load, pressure, RAPL energy, GPUs through NVML).");
        probe.Options.Add(jsonOption);
        probe.Options.Add(windowOption);
        probe.Options.Add(gpuBenchmarkOption);
        probe.Options.Add(iterationsOption);
        probe.SetAction((parse, ct) => parse.GetValue(gpuBenchmarkOption)
            ? ProbeVerb.BenchmarkAsync(Context(parse), parse.GetValue(jsonOption), parse.GetValue(iterationsOption))
            : ProbeVerb.ExecuteAsync(Context(parse), parse.GetValue(jsonOption), parse.GetValue(windowOption), ct));

        var check = new Command("check", "Validate the configuration and print the effective values, secrets redacted. Exit 78 if invalid.");
        check.Options.Add(jsonOption);
        check.SetAction(parse => ConfigCheckVerb.ExecuteAsync(Context(parse), parse.GetValue(jsonOption)));
        var config = new Command("config", "Configuration commands.") { check };

        var models = ModelsVerb.CreateCommand(Context, jsonOption);
        var study = StudyVerb.CreateCommand(Context, jsonOption);

        var canaryArgument = new Argument<string>("canary") { Description = "Canary name (the canary label)." };
        var sinceOption = new Option<string?>("--since")
        {
            Description = "Only runs from then on: a duration back from now (90m, 24h, 7d) or an ISO 8601 time (2026-11-20T08:00:00Z).",
            HelpName = "WHEN",
        };
        var history = new Command("history", "List the stored runs of a canary, oldest first, with its change points and events (reads State:Directory).")
        {
            canaryArgument,
            sinceOption,
        };
        history.Options.Add(jsonOption);
        history.SetAction(parse => HistoryVerb.ExecuteAsync(Context(parse), parse.GetValue(canaryArgument)!, parse.GetValue(sinceOption), parse.GetValue(jsonOption)));

        var pngOption = new Option<string?>("--png") { Description = "Also draw p50 latency over time with change points, environment changes and regressions marked, as PNG.", HelpName = "FILE" };
        var report = new Command("report", "Every canary's level, open regressions, change points and environment changes, from the history.")
        {
            pngOption,
            sinceOption,
        };
        report.Options.Add(jsonOption);
        report.SetAction(parse => ReportVerb.ExecuteAsync(Context(parse), parse.GetValue(pngOption), parse.GetValue(sinceOption), parse.GetValue(jsonOption)));

        var accept = new Command("accept", "Accept a canary's current level as its baseline: open regressions close and the gate relearns from the next runs.") { canaryArgument };
        accept.SetAction(parse => BaselineVerb.AcceptAsync(Context(parse), parse.GetValue(canaryArgument)!));
        var baseline = new Command("baseline", "Baseline commands.") { accept };

        var root = new RootCommand("BenchDaemon: canary inference workloads and GPU/host probes for ML inference servers, exported to Prometheus and OTLP.")
        {
            configOption,
            setOption,
            run,
            once,
            probe,
            config,
            models,
            study,
            history,
            report,
            baseline,
        };
        root.SetAction(parse => RunVerb.ExecuteAsync(Context(parse)));

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                await error.WriteLineAsync($"benchdaemon: {parseError.Message}");
            }

            await error.WriteLineAsync("Run 'benchdaemon --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parseResult.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = output,
                    Error = error,
                    EnableDefaultExceptionHandler = false,
                    // The generic host handles SIGTERM/SIGINT itself (graceful shutdown).
                    ProcessTerminationTimeout = null,
                },
                cancellationToken);
        }
        catch (Exception ex) when (ConfigurationPreflight.Translate(ex) is { } configurationError)
        {
            await error.WriteLineAsync($"benchdaemon: configuration error: {configurationError.Message}");
            return ExitCodes.Config;
        }
        catch (History.HistoryStoreException ex)
        {
            await error.WriteLineAsync($"benchdaemon: {ex.Message}");
            return ExitCodes.NoInput;
        }
        catch (FormatException ex)
        {
            await error.WriteLineAsync($"benchdaemon: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
#pragma warning disable CA1031 // Last line of defence: one clear line instead of a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var cause = ex.GetBaseException();
            await error.WriteLineAsync($"benchdaemon: fatal: {cause.GetType().Name}: {cause.Message}");
            return ExitCodes.Software;
        }
    }
}
