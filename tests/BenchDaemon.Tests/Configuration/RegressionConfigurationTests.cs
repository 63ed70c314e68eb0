using BenchDaemon.Cli;
using BenchDaemon.Regression;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Tests.Configuration;

public sealed class RegressionConfigurationTests : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Theory]
    [InlineData("Regression:MinimumEffects:latency_p95=0.1", "Regression:MinimumEffects:latency_p95: unknown metric")]
    [InlineData("Regression:MinimumEfect=0.1", "Regression:MinimumEfect: unknown key")]
    [InlineData("Regression:MinimumBaseline=70", "Regression:MinimumBaseline: 70 is larger than BaselineWindow 60")]
    [InlineData("History:MaxSizeMegabytes=0", "History:MaxSizeMegabytes")]
    public async Task ConfigCheck_BadHistoryOrRegression_Exit78NamingTheKey(string setting, string expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await BenchDaemonCli.InvokeAsync(["config", "check", "--set", $"State:Directory={_state.Path}", "--set", "Defaults:Canaries=false", "--set", setting], output, error, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MinimumEffect_CanaryMetricOverCanaryOverGlobalMetricOverGlobal()
    {
        var global = new RegressionOptions { MinimumEffect = 0.04, MinimumEffects = { ["throughput"] = 0.07 } };
        var canary = new CanaryRegressionOptions { MinimumEffect = 0.1, MinimumEffects = { ["latency_p50"] = 0.2 } };

        Assert.Equal(0.2, RegressionMetrics.MinimumEffect(RegressionMetricNames.LatencyP50, global, canary));
        Assert.Equal(0.2, RegressionMetrics.MinimumEffect(RegressionMetricNames.LatencyP99, global, canary), 6);
        Assert.Equal(0.07, RegressionMetrics.MinimumEffect(RegressionMetricNames.Throughput, global, null));
        Assert.Equal(0.08, RegressionMetrics.MinimumEffect(RegressionMetricNames.LatencyP99, global, null), 6);
        Assert.Equal(0.04, RegressionMetrics.MinimumEffect(RegressionMetricNames.EnergyPerSample, global, null));
    }

    [Fact]
    public void Expand_CanaryRegressionWithUnknownMetric_IsAnError()
    {
        var options = new CanaryOptions { Name = "c", Model = "/m.onnx", Regression = new CanaryRegressionOptions { MinimumEffects = { ["latency"] = 0.1 } } };

        var (_, errors) = CanaryExpander.Expand([options]);

        Assert.Contains(errors, e => e.Key == "Canaries:0:Regression:MinimumEffects:latency");
    }
}
