using System.Text.Json.Nodes;
using BenchDaemon.Cli;
using BenchDaemon.History;
using BenchDaemon.Tests.History;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Tests.Cli;

public sealed class HistoryVerbTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task History_NoStore_Exits66WithMessage()
    {
        var (exitCode, _, stderr) = await InvokeAsync("history", "tiny");

        Assert.Equal(ExitCodes.NoInput, exitCode);
        Assert.Contains("no history at", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_EmptyStore_SaysNoRuns()
    {
        HistoryStore.Open(StorePath).Dispose();

        var (exitCode, _, stderr) = await InvokeAsync("report");

        Assert.Equal(ExitCodes.NoInput, exitCode);
        Assert.Contains("has no runs yet", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_UnknownCanary_NamesKnownOnes()
    {
        Seed(5);

        var (exitCode, _, stderr) = await InvokeAsync("history", "other");

        Assert.Equal(ExitCodes.NoInput, exitCode);
        Assert.Contains("no runs of canary 'other'", stderr, StringComparison.Ordinal);
        Assert.Contains("canaries with runs: tiny", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_Json_RowsOldestFirstWithOnceFieldsTimestampAndFingerprint()
    {
        Seed(5);

        var (exitCode, stdout, _) = await InvokeAsync("history", "tiny", "--json", "--since", "2026-11-01T00:02:00Z");

        Assert.Equal(0, exitCode);
        var rows = JsonNode.Parse(stdout)!.AsArray();
        Assert.Equal(3, rows.Count);
        var first = rows[0]!.AsObject();
        Assert.Equal("tiny", (string?)first["canary"]);
        Assert.Equal("ok", (string?)first["status"]);
        Assert.NotNull(first["latencySeconds"]?["p50"]);
        Assert.Equal("580.95.05", (string?)first["fingerprint"]?["driverVersion"]);
        Assert.StartsWith("2026-11-01T00:02:00", (string?)first["timestamp"], StringComparison.Ordinal);
        Assert.True(DateTimeOffset.Parse((string)rows[1]!["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.Parse((string)first["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task History_BadSince_IsAUsageError()
    {
        Seed(1);

        var (exitCode, _, stderr) = await InvokeAsync("history", "tiny", "--since", "lastweekish");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("--since", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BaselineAccept_OpenRegression_ClosesItAndRecordsEvent()
    {
        Seed(3);
        using (var store = HistoryStore.Open(StorePath))
        {
            store.OpenRegression("tiny|1|x", "tiny", 1, RegressionMetricNames.LatencyP50, new OpenRegression(2, s_t0, -4.6, 0.01, 10), s_t0);
        }

        var (exitCode, stdout, _) = await InvokeAsync("baseline", "accept", "tiny");

        Assert.Equal(0, exitCode);
        Assert.Contains("1 open regression(s) closed", stdout, StringComparison.Ordinal);
        using var reopened = HistoryStore.OpenRead(StorePath);
        Assert.Empty(reopened.Regressions("tiny", openOnly: true));
        Assert.Single(reopened.Events("tiny", HistoryEventKinds.BaselineAccept));
    }

    [Fact]
    public async Task Report_Png_WritesAPngAndATable()
    {
        Seed(40, stepAt: 20);
        var png = Path.Combine(_state.Path, "report.png");

        var (exitCode, stdout, _) = await InvokeAsync("report", "--png", png);

        Assert.Equal(0, exitCode);
        Assert.Contains("tiny", stdout, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(png, TestContext.Current.CancellationToken);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.True(bytes.Length > 5000);
    }

    private string StorePath => Path.Combine(_state.Path, HistoryOptions.DefaultFileName);

    private void Seed(int runs, int stepAt = int.MaxValue)
    {
        using var store = HistoryStore.Open(StorePath);
        for (var i = 0; i < runs; i++)
        {
            store.Insert(Runs.Level("tiny", s_t0.AddMinutes(i), i >= stepAt ? 0.004 : 0.002, seed: i), Runs.Fingerprint(), false, true);
        }
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BenchDaemonCli.InvokeAsync([.. args, "--set", $"State:Directory={_state.Path}", "--set", "Defaults:Canaries=false"], output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
