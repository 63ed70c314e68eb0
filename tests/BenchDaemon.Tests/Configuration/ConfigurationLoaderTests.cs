using BenchDaemon.Configuration;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Configuration;

public sealed class ConfigurationLoaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Load_FileThenOverride_OverrideWins()
    {
        var path = _temp.File("c.json", """{ "Metrics": { "Listen": "127.0.0.1:1000" }, "Probes": { "PerCpu": true } }""");

        var loaded = ConfigurationLoader.Load(path, ["Metrics:Listen=127.0.0.1:2000"]);

        Assert.Equal(path, loaded.File);
        Assert.Equal("127.0.0.1:2000", loaded.Configuration["Metrics:Listen"]);
        Assert.Equal("True", loaded.Configuration["Probes:PerCpu"], ignoreCase: true);
    }

    [Fact]
    public void Load_OverrideInEnvironmentSpelling_IsAccepted()
    {
        var loaded = ConfigurationLoader.Load(null, ["Probes__Interval=00:00:02"]);

        Assert.Equal("00:00:02", loaded.Configuration["Probes:Interval"]);
    }

    [Fact]
    public void Load_JsonWithCommentsAndTrailingCommas_IsAccepted()
    {
        var path = _temp.File("c.json", "{\n  // the scrape port\n  \"Metrics\": { \"Listen\": \":9999\", },\n}\n");

        var loaded = ConfigurationLoader.Load(path, []);

        Assert.Equal(":9999", loaded.Configuration["Metrics:Listen"]);
    }

    [Fact]
    public void Load_MalformedJson_NamesFileAndLine()
    {
        var path = _temp.File("c.json", "{\n  \"Metrics\": {\n    \"Listen\" \":9999\"\n  }\n}\n");

        var ex = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path, []));

        Assert.Equal(path, ex.Key);
        Assert.Contains("malformed JSON at line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealProcess_Layers_FileThenEnvironmentThenSet()
    {
        var path = _temp.File("c.json", """{ "Metrics": { "Listen": "127.0.0.1:1001" }, "Probes": { "Interval": "00:00:03" }, "Logs": { "RetainedFileCount": 3 }, "State": { "Directory": "STATE" } }""".Replace("STATE", _temp.Path, StringComparison.Ordinal));

        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(
            ["config", "check", "--json", "--config", path, "--set", "Metrics:Listen=127.0.0.1:1003"],
            new Dictionary<string, string>
            {
                ["BENCHDAEMON__Metrics__Listen"] = "127.0.0.1:1002",
                ["BENCHDAEMON__Probes__Interval"] = "00:00:04",
            });

        Assert.True(exitCode == 0, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("127.0.0.1:1003", root.GetProperty("Metrics").GetProperty("Listen").GetString()); // --set beats env
        Assert.Equal("00:00:04", root.GetProperty("Probes").GetProperty("Interval").GetString());      // env beats file
        Assert.Equal(3, root.GetProperty("Logs").GetProperty("RetainedFileCount").GetInt32());         // file beats default
        Assert.Equal(10, new LogOptions().RetainedFileCount);
        Assert.Equal(path, root.GetProperty("ConfigFile").GetString());
    }
}
