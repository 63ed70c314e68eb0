using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Deploy;

/// <summary>deploy/prometheus: promtool accepts the configuration and rules, and the rule unit tests pass.</summary>
public sealed partial class PrometheusRulesTests
{
    public static string Folder => Path.Combine(Repository.Root, "deploy", "prometheus");

    public static IReadOnlyList<string> RuleFiles => Directory.GetFiles(Path.Combine(Folder, "rules"), "*.yml").Order(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<string> TestFiles => Directory.GetFiles(Path.Combine(Folder, "tests"), "*.yml").Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> UnitTestFiles() => [.. TestFiles.Select(Path.GetFileName).OfType<string>()];

    /// <summary>Alert names declared in the shipped rules.</summary>
    public static IReadOnlyList<string> Alerts() =>
        RuleFiles.SelectMany(f => AlertName().Matches(File.ReadAllText(f)).Select(m => m.Groups["name"].Value)).ToList();

    [Fact]
    public async Task CheckRules_ShippedRules_AreValid()
    {
        var (exitCode, output) = await Promtool.RunAsync(string.Empty, ["check", "rules", .. RuleFiles]);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("WARNING", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_ExampleScrapeConfig_IsValid()
    {
        var (exitCode, output) = await Promtool.RunAsync(string.Empty, "check", "config", Path.Combine(Folder, "prometheus.yml"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 2 rule files found", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UnitTestFiles))]
    public async Task TestRules_UnitTestFile_Passes(string file)
    {
        var (exitCode, output) = await Promtool.RunAsync(string.Empty, "test", "rules", Path.Combine(Folder, "tests", file));

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void UnitTests_CoverEveryAlertFiringAndSilent()
    {
        var tests = string.Join("\n", TestFiles.Select(File.ReadAllText));
        var alerts = Alerts();

        Assert.Equal(11, alerts.Count);
        foreach (var alert in alerts)
        {
            Assert.True(Regex.IsMatch(tests, $@"alertname: {alert}\s*\n\s*exp_alerts: \[\]"), $"{alert}: no test where it stays silent");
            Assert.True(Regex.IsMatch(tests, $@"alertname: {alert}\s*\n\s*exp_alerts:\s*\n\s*- exp_labels:"), $"{alert}: no test where it fires");
        }
    }

    [Fact]
    public void EveryAlert_HasForSeveritySummaryAndDescription()
    {
        var text = File.ReadAllText(Path.Combine(Folder, "rules", "benchdaemon-alerts.yml"));
        var blocks = text.Split("- alert: ", StringSplitOptions.None).Skip(1).ToList();

        Assert.Equal(Alerts().Count, blocks.Count);
        Assert.All(blocks, block =>
        {
            var name = block[..block.IndexOf('\n', StringComparison.Ordinal)];
            Assert.Matches(@"\n\s+for: [1-9][0-9]*[smh]\n", block);
            Assert.Matches(@"\n\s+severity: (critical|warning|info)\n", block);
            Assert.Matches(@"\n\s+summary: "".*\$value.*""\n", block);
            Assert.Matches(@"\n\s+description: ", block);
            Assert.StartsWith("BenchDaemon", name, StringComparison.Ordinal);
        });
    }

    [GeneratedRegex(@"- alert: (?<name>\w+)")]
    private static partial Regex AlertName();
}
