using System.Text.Json;
using BenchDaemon.Cli;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Version_PrintsInformationalVersion()
    {
        var (exitCode, stdout, _) = await InvokeAsync("--version");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout.Trim());
    }

    [Fact]
    public async Task Help_ListsEveryVerb()
    {
        var (exitCode, stdout, _) = await InvokeAsync("--help");

        Assert.Equal(0, exitCode);
        foreach (var verb in new[] { "run", "once", "probe", "config", "--config", "--set" })
        {
            Assert.Contains(verb, stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("probe", "--no-such-option")]
    [InlineData("probe", "--window", "soon")]
    [InlineData("probe", "--window", "01:00:00")]
    public async Task BadCommandLine_Exits2WithHint(params string[] args)
    {
        var (exitCode, stdout, stderr) = await InvokeAsync(args);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("benchdaemon --help", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_NoCanaries_SaysSoAndSucceeds()
    {
        var (exitCode, stdout, _) = await InvokeAsync("once", "--set", $"State:Directory={_state.Path}", "--set", "Defaults:Canaries=false");

        Assert.Equal(0, exitCode);
        Assert.Equal(OnceVerb.NoCanariesMessage, stdout.Trim());
    }

    [Fact]
    public async Task Once_Json_NoCanaries_PrintsEmptyArray()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("once", "--json", "--set", $"State:Directory={_state.Path}", "--set", "Defaults:Canaries=false");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(0, json.RootElement.GetArrayLength());
        Assert.Contains(OnceVerb.NoCanariesMessage, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_Json_HasHostCpuMemoryAndUtilisation()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("probe", "--json", "--window", "00:00:00.200", "--set", $"State:Directory={_state.Path}");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var host = json.RootElement.GetProperty("host");
        Assert.Equal(Environment.ProcessorCount, host.GetProperty("cpu").GetProperty("cores").GetArrayLength());
        Assert.True(host.GetProperty("memory").GetProperty("totalBytes").GetUInt64() > 0);
        var utilisation = json.RootElement.GetProperty("cpuUtilization").GetDouble();
        Assert.InRange(utilisation, 0, 1);
    }

    [Fact]
    public async Task Probe_Table_ShowsEachProbe()
    {
        var (exitCode, stdout, _) = await InvokeAsync("probe", "--window", "00:00:00.100", "--set", $"State:Directory={_state.Path}");

        Assert.Equal(0, exitCode);
        Assert.Contains("logical CPUs", stdout, StringComparison.Ordinal);
        Assert.Contains("memory", stdout, StringComparison.Ordinal);
        Assert.Contains("load", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_Json_RedactsHeaderValuesAndSerilogSecrets()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync(
            "config", "check", "--json",
            "--set", $"State:Directory={_state.Path}",
            "--set", "Otlp:Headers:Authorization=Bearer hunter2",
            "--set", "Serilog:WriteTo:0:Name=File",
            "--set", "Serilog:WriteTo:0:Args:apiKey=hunter3");

        Assert.True(exitCode == 0, stderr);
        Assert.DoesNotContain("hunter2", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter3", stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(ConfigCheckVerb.Redacted, json.RootElement.GetProperty("Otlp").GetProperty("Headers").GetProperty("Authorization").GetString());
        Assert.Equal(":9847", json.RootElement.GetProperty("Metrics").GetProperty("Listen").GetString());
    }

    [Fact]
    public async Task ConfigCheck_SerilogSinkThisBuildDoesNotShip_ConfigurationErrorNamingTheKey()
    {
        var (exitCode, _, stderr) = await InvokeAsync(
            "config", "check",
            "--set", $"State:Directory={_state.Path}",
            "--set", "Serilog:WriteTo:0:Name=Seq");

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Contains("configuration error: Serilog:WriteTo:0: no sink called 'Seq' in this build", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_Table_SaysValidAndShowsDefaults()
    {
        var (exitCode, stdout, _) = await InvokeAsync("config", "check", "--set", $"State:Directory={_state.Path}");

        Assert.Equal(0, exitCode);
        Assert.Contains("Configuration is valid.", stdout, StringComparison.Ordinal);
        Assert.Contains("Probes:Interval", stdout, StringComparison.Ordinal);
        Assert.Contains("00:00:01", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_ShippedExampleFile_IsValidAndMatchesDefaults()
    {
        var example = Path.Combine(Repository.Root, "deploy", "benchdaemon.example.json");

        var (exitCode, withFile, stderr) = await InvokeAsync("config", "check", "--json", "--config", example, "--set", $"State:Directory={_state.Path}");
        var (_, withoutFile, _) = await InvokeAsync("config", "check", "--json", "--config", _state.File("empty.json", "{}"), "--set", $"State:Directory={_state.Path}");

        Assert.True(exitCode == 0, stderr);
        using var a = JsonDocument.Parse(withFile);
        using var b = JsonDocument.Parse(withoutFile);
        foreach (var section in new[] { "Metrics", "State", "Probes", "Otlp", "Logs", "Workers" })
        {
            Assert.Equal(b.RootElement.GetProperty(section).GetRawText(), a.RootElement.GetProperty(section).GetRawText());
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BenchDaemonCli.InvokeAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
