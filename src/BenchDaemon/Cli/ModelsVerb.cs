using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Zoo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace BenchDaemon.Cli;

/// <summary>
/// <c>benchdaemon models</c> (or <c>models list</c>): the built-in models and which precisions
/// are in the cache under <c>{State:Directory}/models</c>; <c>models export NAME</c>: generate one
/// into the cache if needed and copy it out.
/// </summary>
public static class ModelsVerb
{
    /// <summary>Builds the <c>models</c> command with its <c>list</c> and <c>export</c> subcommands.</summary>
    /// <param name="context">Turns a parse result into the verb's context (global options, writers).</param>
    /// <param name="jsonOption">The shared <c>--json</c> option.</param>
    public static Command CreateCommand(Func<ParseResult, CliContext> context, Option<bool> jsonOption)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(jsonOption);

        var list = new Command("list", "List the built-in models and, for each precision, whether it is cached and where. The default of 'models'.");
        list.Options.Add(jsonOption);
        list.SetAction(parse => ListAsync(context(parse), parse.GetValue(jsonOption)));

        var nameArgument = new Argument<string>("name")
        {
            Description = $"A built-in model: {KnownNames()} (a builtin: prefix is accepted).",
        };
        nameArgument.Validators.Add(ValidateName);
        var precisionOption = new Option<string>("--precision", "-p")
        {
            Description = "fp32, fp16 or int8.",
            HelpName = "PRECISION",
            DefaultValueFactory = _ => "fp32",
        };
        precisionOption.Validators.Add(ValidatePrecision);
        var outputOption = new Option<string?>("--output", "-o")
        {
            Description = "Where to write the model (a file, or a directory to keep the cache's file name). Without it, the model is only generated into the cache and its path printed.",
            HelpName = "PATH",
        };
        var export = new Command("export", "Generate a built-in model into the cache if it is not there (bert-base INT8 takes about half a minute), copy it out, and print its path and size.")
        {
            nameArgument,
            precisionOption,
            outputOption,
        };
        export.Options.Add(jsonOption);
        export.SetAction((parse, ct) => ExportAsync(
            context(parse),
            ModelName(parse.GetValue(nameArgument)!),
            ParsePrecision(parse.GetValue(precisionOption)!)!.Value,
            parse.GetValue(outputOption),
            parse.GetValue(jsonOption),
            ct));

        var models = new Command("models", "Built-in models: list them and their cache state, or export one as an .onnx file.")
        {
            list,
            export,
        };
        models.Options.Add(jsonOption);
        models.SetAction(parse => ListAsync(context(parse), parse.GetValue(jsonOption)));
        return models;
    }

    /// <summary>Prints every built-in model with the cache state of each precision.</summary>
    public static Task<int> ListAsync(CliContext context, bool json)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (services, _) = CommandServices.Build(context, LoggingMode.Quiet);
        using (services)
        {
            var zoo = CreateZoo(services);
            var rows = ModelZoo.Models
                .Select(m => (Model: m, Files: ModelZoo.Precisions.Select(p => zoo.Inspect(m.Name, p)).ToList()))
                .ToList();
            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(
                    rows.Select(r => new ModelOutput(
                        r.Model.Name,
                        r.Model.Family,
                        r.Model.Parameters,
                        r.Model.MacsPerSample,
                        r.Model.Dimensions,
                        r.Model.Description,
                        r.Files.ToDictionary(
                            f => Token(f.Precision),
                            f => new ModelFileOutput(f.Cached, f.Path, f.Bytes)))).ToList(),
                    CliJson.Options));
            }
            else
            {
                Render(context.CreateConsole(), zoo.ModelsDirectory, rows);
            }
        }

        return Task.FromResult(ExitCodes.Ok);
    }

    /// <summary>Makes sure <paramref name="name"/> in <paramref name="precision"/> is in the cache, copies it to <paramref name="output"/> if given, and prints where it is.</summary>
    public static Task<int> ExportAsync(CliContext context, string name, Precision precision, string? output, bool json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (services, _) = CommandServices.Build(context, LoggingMode.Command);
        using (services)
        {
            var zoo = CreateZoo(services);
            var model = ModelZoo.TryGet(name) ?? throw new ArgumentException($"'{name}' is not a built-in model.", nameof(name));
            if (!zoo.Inspect(model.Name, precision).Cached)
            {
                // Progress on stderr keeps stdout for the path (or JSON).
                context.Error.WriteLine($"generating {model.Name} {precision} (first use)…");
            }

            // Generated in a worker process, like every model the daemon generates: ONNX Runtime
            // (calibration of INT8) and the model's memory stay out of this process.
            string cached;
            try
            {
                cached = services.GetRequiredService<Workers.WorkerPool>().GenerateAsync(model.Name, precision, null, cancellationToken).GetAwaiter().GetResult();
            }
            catch (Workers.WorkerStartException ex)
            {
                context.Error.WriteLine($"benchdaemon: generating {model.Name} {precision} failed: {ex.Message}");
                return Task.FromResult(ExitCodes.Software);
            }

            var path = cached;
            if (!string.IsNullOrEmpty(output))
            {
                path = Path.GetFullPath(Directory.Exists(output) ? Path.Combine(output, Path.GetFileName(cached)) : output);
                try
                {
                    if (!string.Equals(path, cached, StringComparison.Ordinal))
                    {
                        File.Copy(cached, path, overwrite: true);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    context.Error.WriteLine($"benchdaemon: cannot write {path}: {ex.Message}");
                    return Task.FromResult(ExitCodes.CantCreate);
                }
            }

            var bytes = new FileInfo(path).Length;
            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(
                    new ExportOutput(model.Name, Token(precision), path, cached, bytes),
                    CliJson.Options));
            }
            else
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path} ({Size(bytes)}, {bytes:N0} bytes)"));
            }
        }

        return Task.FromResult(ExitCodes.Ok);
    }

    // The --json outputs, property for property; internal, not private: BenchDaemonJsonContext describes them.
    internal sealed record ModelOutput(string Name, string Family, long Parameters, long MacsPerSample, IReadOnlyDictionary<string, long> Dimensions, string Description, Dictionary<string, ModelFileOutput> Precisions);

    internal sealed record ModelFileOutput(bool Cached, string Path, long? Bytes);

    internal sealed record ExportOutput(string Name, string Precision, string Path, string CachePath, long Bytes);

    private static ModelZoo CreateZoo(IServiceProvider services) => new(
        services.GetRequiredService<IOptions<StateOptions>>().Value.Directory!,
        services.GetRequiredService<ILogger<ModelZoo>>(),
        services.GetRequiredService<TimeProvider>());

    private static void Render(IAnsiConsole console, string directory, List<(BuiltinModelInfo Model, List<ModelCacheEntry> Files)> rows)
    {
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title("built-in models (canary Model: builtin:NAME)")
            .Caption(Markup.Escape($"cache: {directory}"));
        table.AddColumn("model");
        table.AddColumn("family");
        table.AddColumn(new TableColumn("parameters").RightAligned());
        table.AddColumn(new TableColumn("GMACs/sample").RightAligned());
        table.AddColumn("dimensions");
        table.AddColumn("precision");
        table.AddColumn("cached");
        table.AddColumn("file");

        var invariant = CultureInfo.InvariantCulture;
        foreach (var (model, files) in rows)
        {
            var first = true;
            foreach (var file in files)
            {
                var dimensions = string.Join(", ", model.Dimensions.Select(d => $"{d.Key}={d.Value.ToString(invariant)}"));
                table.AddRow(
                    first ? Markup.Escape(model.Name) : string.Empty,
                    first ? Markup.Escape(model.Family) : string.Empty,
                    first ? model.Parameters.ToString("N0", invariant) : string.Empty,
                    first ? (model.MacsPerSample / 1e9).ToString("G4", invariant) : string.Empty,
                    first ? Markup.Escape(dimensions) : string.Empty,
                    Token(file.Precision),
                    file.Cached ? $"yes, {Size(file.Bytes ?? 0)}" : "no",
                    Markup.Escape(Path.GetFileName(file.Path)));
                first = false;
            }
        }

        // Spectre assumes 80 columns when stdout is not a terminal; the table needs about 130,
        // and a pipe or file has no width to respect.
        if (!console.Profile.Out.IsTerminal)
        {
            console.Profile.Width = Math.Max(console.Profile.Width, 160);
        }

        console.Write(table);
    }

    private static void ValidateName(ArgumentResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        if (token is not null && ModelZoo.TryGet(ModelName(token)) is null)
        {
            result.AddError($"'{token}' is not a built-in model; built-in models: {KnownNames()}.");
        }
    }

    private static void ValidatePrecision(OptionResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        if (token is not null && ParsePrecision(token) is null)
        {
            result.AddError($"--precision: '{token}' is not a precision (fp32, fp16 or int8).");
        }
    }

    private static string ModelName(string token) =>
        ModelRef.Parse(token) is { Kind: ModelKind.Builtin } builtin ? builtin.Name : token;

    private static Precision? ParsePrecision(string token) =>
        ModelZoo.Precisions.Where(p => string.Equals(Token(p), token, StringComparison.OrdinalIgnoreCase)).Cast<Precision?>().FirstOrDefault();

    private static string KnownNames() => string.Join(", ", ModelZoo.Models.Select(m => m.Name));

    private static string Token(Precision precision) => precision switch
    {
        Precision.FP32 => "fp32",
        Precision.FP16 => "fp16",
        _ => "int8",
    };

    private static string Size(long bytes) => bytes >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):F1} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB");
}
