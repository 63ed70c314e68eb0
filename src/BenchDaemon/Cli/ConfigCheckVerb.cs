using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace BenchDaemon.Cli;

/// <summary>
/// <c>benchdaemon config check</c>: validate and print the effective configuration, secrets
/// redacted. Warnings (a configuration that is valid but likely not meant) go to standard error,
/// one line each, and leave the exit code 0.
/// </summary>
public static class ConfigCheckVerb
{
    /// <summary>What replaces a secret in the output.</summary>
    public const string Redacted = Secrets.Redacted;

    /// <summary>How a warning line on standard error starts; the key and the message follow.</summary>
    public const string WarningPrefix = "benchdaemon: configuration warning: ";

    public static Task<int> ExecuteAsync(CliContext context, bool json)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (services, loaded) = CommandServices.Build(context, LoggingMode.Quiet);
        using (services)
        {
            var warnings = new List<(string Key, string Problem)>();
            var effective = Effective(services, loaded, warnings);
            foreach (var (key, problem) in warnings)
            {
                context.Error.WriteLine($"{WarningPrefix}{key}: {problem}");
            }

            if (json)
            {
                context.Out.WriteLine(effective.ToJsonString(CliJson.Options));
            }
            else
            {
                var console = context.CreateConsole();
                console.MarkupLine(warnings.Count == 0
                    ? "[green]Configuration is valid.[/]"
                    : $"[green]Configuration is valid[/], [yellow]with {warnings.Count} {(warnings.Count == 1 ? "warning" : "warnings")}[/] (on standard error).");
                var table = new Table().Border(TableBorder.Rounded);
                table.AddColumn("key");
                table.AddColumn("value");
                foreach (var (key, value) in Flatten(effective, string.Empty))
                {
                    table.AddRow(Markup.Escape(key), Markup.Escape(value));
                }

                console.Write(table);
            }
        }

        return Task.FromResult(ExitCodes.Ok);
    }

    /// <summary>
    /// The effective configuration as JSON: every option with its value after all layers, secrets
    /// redacted; the configuration's warnings are added to <paramref name="warnings"/>.
    /// </summary>
    public static JsonObject Effective(IServiceProvider services, LoadedConfiguration loaded, ICollection<(string Key, string Problem)>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(loaded);
        var otlp = services.GetRequiredService<IOptions<OtlpOptions>>().Value;
        var result = new JsonObject
        {
            ["ConfigFile"] = loaded.File,
            [MetricsOptions.SectionName] = Node(services.GetRequiredService<IOptions<MetricsOptions>>().Value),
            [StateOptions.SectionName] = Node(services.GetRequiredService<IOptions<StateOptions>>().Value),
            [ProbeOptions.SectionName] = Node(services.GetRequiredService<IOptions<ProbeOptions>>().Value),
            [OtlpOptions.SectionName] = Node(otlp),
            [LogOptions.SectionName] = Node(services.GetRequiredService<IOptions<LogOptions>>().Value),
            [Workloads.Cuda.CudaOptions.SectionName] = Node(services.GetRequiredService<IOptions<Workloads.Cuda.CudaOptions>>().Value),
            [Workers.WorkerOptions.SectionName] = Node(services.GetRequiredService<IOptions<Workers.WorkerOptions>>().Value),
        };

        // What the defaults depend on: whether each GPU provider runs here (checked in a worker).
        var runtime = services.GetRequiredService<Workers.WorkerRuntime>().DescribeAsync(CancellationToken.None).GetAwaiter().GetResult();
        result["ExecutionProviders"] = JsonSerializer.SerializeToNode(
            runtime.UsabilityOrNone.Providers.Select(p => new ProviderOutput(p.Provider, p.Device, p.Usable, p.Usable ? null : p.Reason ?? p.Summary)).ToList(),
            BenchDaemonJsonContext.Default.ListProviderOutput);

        result[CanaryOptions.SectionName] = JsonSerializer.SerializeToNode(
            // The defaults depend on the providers a worker's ONNX Runtime reports.
            ConfigurationPreflight.Canaries(loaded.Configuration, runtime.UsabilityOrNone, warnings).Select(c => new CanaryOutput(
                c.Name,
                c.Model,
                c.Variants,
                c.Provider,
                c.ProviderOptions.ToDictionary(o => o.Key, o => IsSecret(o.Key) ? Redacted : o.Value),
                c.Precision.ToString(),
                c.BatchSizes,
                c.Threads,
                c.GraphOptimization.ToString(),
                c.Inputs,
                c.Size,
                c.Seed,
                c.Measure,
                new ScheduleOutput(c.Schedule.Interval, c.Schedule.Cron, c.Schedule.Jitter))).ToList(),
            s_configJson);

        // Every header may carry a credential (Authorization, api keys): show names only.
        var headers = new JsonObject();
        foreach (var name in otlp.Headers.Keys.Order(StringComparer.Ordinal))
        {
            headers[name] = Redacted;
        }

        result[OtlpOptions.SectionName]![nameof(OtlpOptions.Headers)] = headers;

        var metrics = services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(metrics.WebConfigFile))
        {
            result[MetricsOptions.SectionName]!["WebConfig"] = WebConfigNode(metrics.WebConfigFile);
        }

        var serilog = loaded.Configuration.GetSection("Serilog");
        if (serilog.Exists())
        {
            result["Serilog"] = Section(serilog);
        }

        return result;
    }

    // What the web-config file sets, users by name only: a bcrypt hash is a secret too.
    private static JsonObject WebConfigNode(string path)
    {
        var config = WebConfigLoader.Load(path);
        try
        {
            var users = new JsonObject();
            foreach (var user in config.Users.Keys.Order(StringComparer.Ordinal))
            {
                users[user] = Redacted;
            }

            var node = new JsonObject { ["File"] = config.Path, ["BasicAuthUsers"] = users };
            if (config.Tls is { } tls)
            {
                node["Tls"] = new JsonObject
                {
                    ["CertFile"] = tls.CertFile,
                    ["KeyFile"] = tls.KeyFile,
                    ["Subject"] = tls.Certificate.Subject,
                    ["NotAfter"] = tls.Certificate.NotAfter.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["Protocols"] = tls.Protocols.ToString(),
                    ["ClientAuth"] = tls.ClientAuth.ToString(),
                    ["ClientCaFile"] = tls.ClientCaFile,
                };
            }

            return node;
        }
        finally
        {
            WebConfigLoader.Dispose(config);
        }
    }

    // Keys keep the configuration's own spelling (Metrics:Listen), so output can be pasted back.
    private static readonly JsonSerializerOptions s_configJson = new(CliJson.Options) { PropertyNamingPolicy = null };

    private static JsonNode? Node<T>(T value) => JsonSerializer.SerializeToNode(value, (JsonTypeInfo<T>)s_configJson.GetTypeInfo(typeof(T)));

    // The providers and canaries as printed, property for property; internal, not private:
    // BenchDaemonJsonContext describes them.
    internal sealed record ProviderOutput(string Provider, int Device, bool Usable, string? Reason);

    internal sealed record CanaryOutput(
        string Name,
        string Model,
        IReadOnlyDictionary<Precision, string> Variants,
        string Provider,
        Dictionary<string, string> ProviderOptions,
        string Precision,
        IReadOnlyList<int> BatchSizes,
        int Threads,
        string GraphOptimization,
        IReadOnlyDictionary<string, long> Inputs,
        int? Size,
        int Seed,
        MeasureOptions Measure,
        ScheduleOutput Schedule);

    internal sealed record ScheduleOutput(TimeSpan Interval, string? Cron, TimeSpan Jitter);

    private static JsonNode Section(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return JsonValue.Create(IsSecret(section.Key) ? Redacted : section.Value)!;
        }

        var node = new JsonObject();
        foreach (var child in children)
        {
            node[child.Key] = IsSecret(child.Key) && child.Value is not null ? JsonValue.Create(Redacted) : Section(child);
        }

        return node;
    }

    private static bool IsSecret(string key) => Secrets.IsSecretKey(key);

    private static IEnumerable<(string Key, string Value)> Flatten(JsonNode? node, string prefix)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    foreach (var item in Flatten(child, prefix.Length == 0 ? name : $"{prefix}:{name}"))
                    {
                        yield return item;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var item in Flatten(array[i], $"{prefix}:{i}"))
                    {
                        yield return item;
                    }
                }

                break;
            default:
                yield return (prefix, node?.ToString() ?? "(none)");
                break;
        }
    }
}
