using BenchDaemon.Cli;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Security;

/// <summary>
/// OTLP header values, web-config password hashes and credential-like settings never appear in
/// <c>config check</c> output or in the daemon's logs (console and file), even at Verbose.
/// </summary>
public sealed class SecretsTests : IDisposable
{
    private const string HeaderSecret = "tok-7f3a9c-HEADER-SECRET";
    private const string SerilogSecret = "pw-51de0-SERILOG-SECRET";
    private const string ProviderSecret = "key-88b1-PROVIDER-SECRET";
    private static readonly Lazy<string> s_hash = new(() => BCrypt.Net.BCrypt.HashPassword("scrape-password", 10));

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string[] Secrets => [HeaderSecret, SerilogSecret, ProviderSecret, s_hash.Value, s_hash.Value[7..29], "scrape-password"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConfigCheck_Output_RedactsEverySecret(bool json)
    {
        var config = WriteConfig(serilog: true);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await BenchDaemonCli.InvokeAsync(["config", "check", "--config", config, "--set", $"State:Directory={_temp.Path}", .. (json ? new[] { "--json" } : [])], output, error, TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, error.ToString());
        var text = output + error.ToString();
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Contains("Authorization", text, StringComparison.Ordinal);
        Assert.Contains("prometheus", text, StringComparison.Ordinal);
        Assert.Contains("***", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_VerboseLogsWithOtlpAndReload_NeverWriteASecret()
    {
        // No Serilog section here: a property set there is attached to every event on purpose.
        var config = WriteConfig(serilog: false);
        var state = Directory.CreateDirectory(Path.Combine(_temp.Path, "state")).FullName;
        await using (var daemon = DaemonProcess.Start(state, ["--config", config, "--set", "Logs:Level=Verbose"]))
        {
            using var client = new HttpClient { BaseAddress = daemon.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String("prometheus:wrong-password"u8.ToArray()));
            await daemon.WaitForOutputAsync("started", TimeSpan.FromSeconds(20));

            // A refused scrape, a reload, and OTLP exports failing against a closed port (every
            // second from the start): stopped once the reload's outcome is logged, that of the
            // configuration and that of the web config.
            _ = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
            Signals.Send(daemon.Pid, Signals.SigHup);
            await daemon.WaitForOutputAsync(
                output => output.Contains("(SIGHUP)", StringComparison.Ordinal) && output.Contains("Web-config ", StringComparison.Ordinal),
                "the reload's outcome",
                TimeSpan.FromSeconds(30));
            await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(15));

            var logs = string.Concat(Directory.GetFiles(Path.Combine(state, "logs")).Select(File.ReadAllText));
            var everything = daemon.StandardOutput + daemon.StandardError + logs;
            Assert.Contains("SIGHUP received", everything, StringComparison.Ordinal);
            Assert.Contains("refused", everything, StringComparison.Ordinal);
            foreach (var secret in Secrets.Append("wrong-password"))
            {
                Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
            }
        }
    }

    private string WriteConfig(bool serilog)
    {
        var serilogSection = serilog ? $$"""
            "Serilog": { "Properties": { "DbPassword": "{{SerilogSecret}}" } },
            """ : string.Empty;
        var web = _temp.File("web.yml", $"basic_auth_users:\n  prometheus: {s_hash.Value}\n");
        return _temp.File("benchdaemon.json", $$"""
            {
              "Metrics": { "WebConfigFile": "{{web}}" },
              "Otlp": {
                "Enabled": true,
                "Endpoint": "http://127.0.0.1:1",
                "Interval": "00:00:01",
                "Timeout": "00:00:00.500",
                "Headers": { "Authorization": "Bearer {{HeaderSecret}}", "X-Scope": "{{HeaderSecret}}" }
              },
              {{serilogSection}}
              "Defaults": { "Canaries": false },
              "Canaries": [ { "Name": "tiny", "Model": "builtin:bert-tiny", "Interval": "01:00:00", "ProviderOptions": { "api_key": "{{ProviderSecret}}" } } ]
            }
            """);
    }
}
