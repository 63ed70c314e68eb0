using System.Text.Json;
using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Deploy;

/// <summary>One PromQL expression of a dashboard: a panel target, an annotation or a variable query.</summary>
/// <param name="Dashboard">File name of the dashboard.</param>
/// <param name="Where">Panel title, "annotation NAME" or "variable NAME".</param>
/// <param name="Expression">The expression as stored, template variables unresolved.</param>
public sealed record DashboardQuery(string Dashboard, string Where, string Expression)
{
    public override string ToString() => $"{Dashboard} / {Where}: {Expression}";
}

/// <summary>A query variable of a dashboard: <c>label_values(selector, label)</c>.</summary>
public sealed record DashboardVariable(string Dashboard, string Name, string Query, string Label, string? Selector);

/// <summary>The shipped dashboards (grafana/dashboards/*.json) and the PromQL inside them.</summary>
public static partial class GrafanaDashboards
{
    public static string Folder => Path.Combine(Repository.Root, "grafana", "dashboards");

    public static IReadOnlyList<string> Files => Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal).ToList();

    public static JsonElement Load(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.Clone();
    }

    /// <summary>Every panel, rows' nested panels included.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Every panel target and annotation expression of every dashboard.</summary>
    public static IReadOnlyList<DashboardQuery> Queries()
    {
        var queries = new List<DashboardQuery>();
        foreach (var file in Files)
        {
            var name = Path.GetFileName(file);
            var dashboard = Load(file);
            foreach (var panel in Panels(dashboard))
            {
                if (!panel.TryGetProperty("targets", out var targets))
                {
                    continue;
                }

                foreach (var target in targets.EnumerateArray())
                {
                    queries.Add(new DashboardQuery(name, panel.GetProperty("title").GetString()!, target.GetProperty("expr").GetString()!));
                }
            }

            foreach (var annotation in dashboard.GetProperty("annotations").GetProperty("list").EnumerateArray())
            {
                if (annotation.TryGetProperty("expr", out var expr))
                {
                    queries.Add(new DashboardQuery(name, "annotation " + annotation.GetProperty("name").GetString(), expr.GetString()!));
                }
            }
        }

        return queries;
    }

    /// <summary>Every query variable of every dashboard.</summary>
    public static IReadOnlyList<DashboardVariable> Variables()
    {
        var variables = new List<DashboardVariable>();
        foreach (var file in Files)
        {
            foreach (var variable in Load(file).GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (variable.GetProperty("type").GetString() != "query")
                {
                    continue;
                }

                var query = variable.GetProperty("definition").GetString()!;
                var match = LabelValues().Match(query);
                if (!match.Success)
                {
                    throw new InvalidOperationException($"{Path.GetFileName(file)}: variable {variable.GetProperty("name")} is not label_values(selector, label): {query}");
                }

                variables.Add(new DashboardVariable(Path.GetFileName(file), variable.GetProperty("name").GetString()!, query,
                    match.Groups["label"].Value, match.Groups["selector"].Success ? match.Groups["selector"].Value : null));
            }
        }

        return variables;
    }

    /// <summary>
    /// Replaces Grafana's interval macros with values that span several scrapes of a test
    /// Prometheus scraping every second, and each <c>$variable</c> with <paramref name="values"/>.
    /// </summary>
    public static string Substitute(string expression, IReadOnlyDictionary<string, string> values)
    {
        var result = expression
            .Replace("$__rate_interval", "30s", StringComparison.Ordinal)
            .Replace("$__interval", "5s", StringComparison.Ordinal)
            .Replace("$__range", "2m", StringComparison.Ordinal);
        return Variable().Replace(result, m => values.TryGetValue(m.Groups["name"].Value, out var value)
            ? value
            : throw new InvalidOperationException($"no value for ${m.Groups["name"].Value} in {expression}"));
    }

    /// <summary>Metric names an expression reads (everything that looks like one of the daemon's names).</summary>
    public static IReadOnlyList<string> MetricNames(string expression) =>
        MetricName().Matches(expression).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"^label_values\((?:(?<selector>.+),\s*)?(?<label>[a-zA-Z_][a-zA-Z0-9_]*)\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\$(?<name>[a-zA-Z_][a-zA-Z0-9_]*)")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\b(?:benchdaemon|process|dotnet)_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
