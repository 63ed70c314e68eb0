using System.Text.Json;

namespace BenchDaemon.Tests.Deploy;

/// <summary>The shipped dashboards import anywhere: data source by variable, the agreed variables, current schema.</summary>
public sealed class GrafanaDashboardTests
{
    /// <summary>Grafana 12's dashboard schema version.</summary>
    private const int CurrentSchemaVersion = 41;

    public static TheoryData<string> Dashboards() => [.. GrafanaDashboards.Files.Select(Path.GetFileName).OfType<string>()];

    [Fact]
    public void Files_AreTheFiveDashboards()
    {
        Assert.Equal(["canaries.json", "fleet.json", "gpu-overview.json", "host.json", "regressions.json"],
            GrafanaDashboards.Files.Select(Path.GetFileName));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_HasPrometheusDataSourceVariableAndNoFixedUid(string file)
    {
        var dashboard = GrafanaDashboards.Load(Path.Combine(GrafanaDashboards.Folder, file));

        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        var datasource = Assert.Single(variables, v => v.GetProperty("type").GetString() == "datasource");
        Assert.Equal("datasource", datasource.GetProperty("name").GetString());
        Assert.Equal("prometheus", datasource.GetProperty("query").GetString());
        var references = DataSourceReferences(dashboard).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.Equal("${datasource}", r));
        Assert.Equal(CurrentSchemaVersion, dashboard.GetProperty("schemaVersion").GetInt32());
    }

    [Theory]
    [InlineData("gpu-overview.json", new[] { "instance", "gpu" })]
    [InlineData("host.json", new[] { "instance" })]
    [InlineData("canaries.json", new[] { "instance", "canary" })]
    [InlineData("regressions.json", new[] { "instance", "canary" })]
    [InlineData("fleet.json", new[] { "instance", "canary" })]
    public void Dashboard_HasItsTemplateVariablesAndEveryQueryUsesThem(string file, string[] names)
    {
        var variables = GrafanaDashboards.Variables().Where(v => v.Dashboard == file).ToList();
        Assert.Equal(names, variables.Select(v => v.Name));
        Assert.All(variables, v => Assert.Equal(v.Name, v.Label));

        // A panel that ignores the selected instances or canaries shows the wrong nodes.
        foreach (var query in GrafanaDashboards.Queries().Where(q => q.Dashboard == file))
        {
            Assert.Contains("instance=~\"$instance\"", query.Expression, StringComparison.Ordinal);
            if (names.Contains("gpu") && query.Expression.Contains("benchdaemon_gpu_", StringComparison.Ordinal) && !query.Expression.Contains("benchdaemon_gpu_probe_up", StringComparison.Ordinal))
            {
                Assert.Contains("gpu=~\"$gpu\"", query.Expression, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_PanelIdsAreUniqueAndLayoutFitsTheGrid(string file)
    {
        var dashboard = GrafanaDashboards.Load(Path.Combine(GrafanaDashboards.Folder, file));
        var panels = GrafanaDashboards.Panels(dashboard).ToList();

        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        Assert.All(panels, p =>
        {
            var grid = p.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
            Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("title").GetString()));
        });
    }

    [Fact]
    public void Dashboards_HaveUniqueUids()
    {
        var uids = GrafanaDashboards.Files.Select(f => GrafanaDashboards.Load(f).GetProperty("uid").GetString()).ToList();

        Assert.Equal(uids.Count, uids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Annotations_MarkFingerprintChanges()
    {
        var annotations = GrafanaDashboards.Queries().Where(q => q.Where.StartsWith("annotation ", StringComparison.Ordinal)).ToList();

        Assert.Equal(GrafanaDashboards.Files.Count, annotations.Count);
        Assert.All(annotations, a => Assert.Contains("benchdaemon_environment_change_timestamp_seconds", a.Expression, StringComparison.Ordinal));
    }

    private static IEnumerable<string?> DataSourceReferences(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "datasource" && property.Value.ValueKind == JsonValueKind.Object)
                    {
                        yield return property.Value.TryGetProperty("uid", out var uid) ? uid.GetString() : null;
                    }
                    else if (property.Name == "datasource")
                    {
                        // A bare string is a data-source name or uid fixed at export time.
                        yield return property.Value.ToString();
                    }

                    foreach (var inner in DataSourceReferences(property.Value))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var inner in DataSourceReferences(item))
                    {
                        yield return inner;
                    }
                }

                break;
            default:
                break;
        }
    }
}
