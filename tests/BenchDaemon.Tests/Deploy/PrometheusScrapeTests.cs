using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BenchDaemon.Tests.Cuda;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Tests.Deploy;

/// <summary>
/// A real Prometheus scraping real daemons on loopback: every dashboard query returns data,
/// every rule evaluates, and the fleet-outlier alert picks the slow node. Both tests live in
/// one class so that xunit runs them one after the other (each keeps both cores busy).
/// </summary>
public sealed partial class PrometheusScrapeTests : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_dataTimeout = TimeSpan.FromSeconds(120);

    private readonly TempDirectory _temp = new();
    private readonly ITestOutputHelper _output;

    public PrometheusScrapeTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SingleNode_EveryDashboardQueryReturnsDataAndEveryRuleEvaluates()
    {
        var state = Directory.CreateDirectory(Path.Combine(_temp.Path, "node")).FullName;
        using var rapl = new FakeRapl(Path.Combine(_temp.Path, "sys"));
        string[] arguments = ["--set", $"Probes:SysRoot={rapl.SysRoot}", .. GpuArguments()];

        // History first. A short earlier life of this node on the same state directory leaves
        // in history.db (1) six fast runs of the GEMM canary (one per second): the baseline (3) and the evidence
        // window (3) the regression gate needs before it judges, and (2) one run of "mini" with
        // two threads. The scraped run below then makes each GEMM call three times slower (the
        // fake cuBLASLt's FAKE_CUBLAS_MATMUL_US is no part of the environment fingerprint): two
        // scheduled runs at the new level open a regression (at one run a second no re-run fits
        // the confirmation gap: the scheduled runs are the evidence), so the verdict series
        // including regression_start_timestamp exist; and "mini" with one thread is a changed
        // fingerprint (provider options), so an environment-change series exists. `once` keeps
        // no history, so a daemon it is: about 8 s, the cheapest way to get real stored runs.
        await SeedHistoryAsync(state, arguments);

        var config = _temp.File("node.json", SingleNodeConfig(state, miniThreads: 1));
        await using var daemon = DaemonProcess.Start(state, ["--config", config, .. arguments], GpuEnvironment(matmulMicroseconds: 3000));
        await daemon.WaitForAsync("/metrics", s_startTimeout);

        await using var prometheus = await PrometheusServer.StartAsync(
            PrometheusConfig([(daemon.Port, null)], RuleFiles(rewriteFor: null)), s_startTimeout);

        // Wait until every query that should have data has it (the canaries need a few runs and
        // rate() a few scrapes), then check it all once more and report every empty one.
        var queries = GrafanaDashboards.Queries();
        var variables = GrafanaDashboards.Variables();
        var watch = Stopwatch.StartNew();
        Dictionary<string, string> values;
        List<string> empty;
        while (true)
        {
            (values, var emptyVariables) = await ResolveVariablesAsync(prometheus, variables);
            empty = [.. emptyVariables.Select(v => $"variable {v.Dashboard} ${v.Name}: {v.Query}")];
            foreach (var query in queries)
            {
                var expression = GrafanaDashboards.Substitute(query.Expression, values);
                var data = await prometheus.QueryRangeAsync(expression, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5));
                if (data.GetProperty("result").GetArrayLength() == 0)
                {
                    empty.Add($"{query.Dashboard} / {query.Where}: {expression}");
                }
            }

            if (empty.Count == 0 || watch.Elapsed >= s_dataTimeout)
            {
                break;
            }

            // Prometheus scrapes and evaluates every second: nothing new before the next one.
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }

        Assert.True(empty.Count == 0, $"{empty.Count} dashboard queries returned no data after {watch.Elapsed}:\n{string.Join("\n", empty)}\n\ndaemon:\n{daemon.StandardOutput}");
        _output.WriteLine($"{queries.Count} dashboard queries and {variables.Count} variables checked after {watch.Elapsed}");

        await AssertEveryRuleEvaluatesAsync(prometheus);

        // The alerts whose conditions this node meets are active (pending: the shipped for:
        // clauses are minutes) with the label names and values the daemon really exports.
        string[] expected =
        [
            "BenchDaemonCanaryRegression canary=gemm metric=latency_p50",
            "BenchDaemonGpuXidError gpu=0 xid=79",
            "BenchDaemonGpuThermalThrottling gpu=0 uuid=GPU-fake-0000",
            "BenchDaemonGpuPowerThrottling gpu=0 uuid=GPU-fake-0000",
        ];
        static bool Active(List<JsonElement> alerts, string want)
        {
            var parts = want.Split(' ');
            return alerts.Any(a => a.GetProperty("labels").GetProperty("alertname").GetString() == parts[0]
                && parts.Skip(1).All(p => a.GetProperty("labels").TryGetProperty(p[..p.IndexOf('=', StringComparison.Ordinal)], out var v)
                    && v.GetString() == p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..]));
        }

        // The verdict may open a few runs after every query has data (a loaded machine slows the
        // runs), and a rule's first evaluation after it takes one interval: poll for a while.
        var alerts = (await prometheus.AlertsAsync()).GetProperty("alerts").EnumerateArray().ToList();
        var alertWatch = Stopwatch.StartNew();
        while (!expected.All(want => Active(alerts, want)) && alertWatch.Elapsed < s_dataTimeout)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken); // the evaluation interval
            alerts = (await prometheus.AlertsAsync()).GetProperty("alerts").EnumerateArray().ToList();
        }

        foreach (var want in expected)
        {
            Assert.True(Active(alerts, want), $"no active alert {want} after {alertWatch.Elapsed} more; active: {string.Join("; ", alerts.Select(a => a.GetProperty("labels").ToString()))}\n\ndaemon:\n{daemon.StandardOutput}");
        }
    }

    [Fact]
    public async Task Fleet_SlowNode_IsTheOnlyFleetOutlier()
    {
        // Three nodes run the same canary (same name, model label, provider, precision, batch).
        // The slow node's model file has six times the layers: it stands in for a node whose
        // hardware runs the same model six times slower, with no noise from CPU contention
        // deciding the outcome on a shared two-core test machine.
        var nodes = new (string Instance, int Layers)[] { ("node-a", 8), ("node-b", 8), ("node-slow", 48) };
        var daemons = new List<DaemonProcess>();
        try
        {
            foreach (var (instance, layers) in nodes)
            {
                var state = Directory.CreateDirectory(Path.Combine(_temp.Path, instance)).FullName;
                var model = Path.Combine(state, "fleet.onnx");
                await File.WriteAllBytesAsync(model, TinyModels.Slow(layers), TestContext.Current.CancellationToken);
                var config = _temp.File($"{instance}.json", $$"""
                    { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1 },
                      "Canaries": [ { "Name": "fleet", "Model": "{{model}}", "Interval": "00:00:02", "Threads": 1,
                        "Measure": { "MinIterations": 30, "MinDuration": "00:00:00.050", "Budget": "00:00:10", "WarmupMaxDuration": "00:00:00.200" } } ] }
                    """);
                daemons.Add(DaemonProcess.Start(state, ["--config", config]));
            }

            foreach (var daemon in daemons)
            {
                await daemon.WaitForAsync("/metrics", s_startTimeout);
            }

            // The shipped rules, with every for: shortened to 10 s (evaluation every second) so
            // the alert can fire within the test; the expressions and the factor are unchanged.
            await using var prometheus = await PrometheusServer.StartAsync(
                PrometheusConfig([.. daemons.Zip(nodes, (d, n) => (d.Port, (string?)n.Instance))], RuleFiles(rewriteFor: "10s")), s_startTimeout);

            var watch = Stopwatch.StartNew();
            IReadOnlyList<string> firing = [];
            while (watch.Elapsed < s_dataTimeout)
            {
                firing = await OutlierInstancesAsync(prometheus, "firing");
                if (firing.Count > 0)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken); // the evaluation interval
            }

            var ratios = await prometheus.QueryAsync("instance_canary:benchdaemon_canary_last_latency_seconds:ratio_median{canary=\"fleet\",stat=\"p50\"}");
            var report = string.Join(", ", ratios.GetProperty("result").EnumerateArray().Select(r =>
                $"{r.GetProperty("metric").GetProperty("instance").GetString()}={r.GetProperty("value")[1].GetString()}"));
            _output.WriteLine($"ratios to the fleet median after {watch.Elapsed}: {report}");
            Assert.True(firing.SequenceEqual(["node-slow"]), $"firing for [{string.Join(", ", firing)}]; ratios {report}\n{prometheus.Log}");

            // No fast node fired at any time during the run (a single run slowed by the other
            // processes on the test machine may make one pending; for: is there to absorb that).
            var history = await prometheus.QueryAsync("max_over_time(ALERTS{alertname=\"BenchDaemonCanaryFleetOutlier\",alertstate=\"firing\"}[5m])");
            var ever = history.GetProperty("result").EnumerateArray().Select(r => r.GetProperty("metric").GetProperty("instance").GetString()).Distinct().ToList();
            Assert.Equal(["node-slow"], ever);
        }
        finally
        {
            foreach (var daemon in daemons)
            {
                await daemon.DisposeAsync();
            }
        }
    }

    /// <summary>Resolves each variable (label_values) against Prometheus, in dashboard order so later ones can use earlier ones.</summary>
    private static async Task<(Dictionary<string, string> Values, List<DashboardVariable> Empty)> ResolveVariablesAsync(PrometheusServer prometheus, IReadOnlyList<DashboardVariable> variables)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var empty = new List<DashboardVariable>();
        foreach (var group in variables.GroupBy(v => v.Dashboard))
        {
            var local = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var variable in group)
            {
                var selector = variable.Selector is null ? null : GrafanaDashboards.Substitute(variable.Selector, local);
                var found = await prometheus.LabelValuesAsync(variable.Label, selector);
                if (found.Count == 0)
                {
                    empty.Add(variable);
                }

                // What Grafana sends for "All" of a multi-value variable: the values as a regex
                // alternation, escaped for a PromQL string (a backslash doubled).
                local[variable.Name] = found.Count == 0 ? ".*" : string.Join("|", found.Select(v => Regex.Escape(v).Replace("\\", "\\\\", StringComparison.Ordinal)));
            }

            foreach (var (name, value) in local)
            {
                values.TryAdd(name, value);
            }
        }

        return (values, empty);
    }

    private static async Task AssertEveryRuleEvaluatesAsync(PrometheusServer prometheus)
    {
        var declared = PrometheusRulesTests.RuleFiles.Sum(f => RuleDeclaration().Count(File.ReadAllText(f)));
        var watch = Stopwatch.StartNew();
        List<JsonElement> rules;
        do
        {
            var groups = await prometheus.RulesAsync();
            rules = [.. groups.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray())];
            if (rules.Count == declared && rules.All(r => !r.GetProperty("lastEvaluation").GetString()!.StartsWith("0001", StringComparison.Ordinal)))
            {
                break;
            }

            await Task.Delay(500);
        }
        while (watch.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(declared, rules.Count);
        foreach (var rule in rules)
        {
            var name = rule.GetProperty("name").GetString();
            Assert.True(rule.GetProperty("health").GetString() == "ok", $"{name}: {rule}");
            Assert.False(rule.TryGetProperty("lastError", out var error) && error.GetString() is { Length: > 0 }, $"{name}: {rule}");

            // And the expression on its own, through the query API (throws on a PromQL error).
            await prometheus.QueryAsync(rule.GetProperty("query").GetString()!);
        }
    }

    private static async Task<IReadOnlyList<string>> OutlierInstancesAsync(PrometheusServer prometheus, string state)
    {
        var alerts = await prometheus.AlertsAsync();
        return alerts.GetProperty("alerts").EnumerateArray()
            .Where(a => a.GetProperty("labels").GetProperty("alertname").GetString() == "BenchDaemonCanaryFleetOutlier"
                        && a.GetProperty("state").GetString() == state)
            .Select(a => a.GetProperty("labels").GetProperty("instance").GetString()!)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The shipped rule files, or copies with every <c>for:</c> replaced by <paramref name="rewriteFor"/>.</summary>
    private List<string> RuleFiles(string? rewriteFor)
    {
        var files = PrometheusRulesTests.RuleFiles.ToList();
        if (rewriteFor is null)
        {
            return files;
        }

        return files.Select(f => _temp.File("rules-" + Path.GetFileName(f), ForClause().Replace(File.ReadAllText(f), "${indent}for: " + rewriteFor))).ToList();
    }

    /// <summary>Scrape and evaluate every second; targets keep their host:port instance unless one is given.</summary>
    private static string PrometheusConfig(IReadOnlyList<(int Port, string? Instance)> targets, IReadOnlyList<string> ruleFiles)
    {
        var text = new StringBuilder("""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files:

            """);
        foreach (var file in ruleFiles)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - \"{file}\"\n");
        }

        text.Append("scrape_configs:\n  - job_name: benchdaemon\n    static_configs:\n");
        foreach (var (port, instance) in targets)
        {
            text.Append(CultureInfo.InvariantCulture, $"      - targets: [\"127.0.0.1:{port}\"]\n");
            if (instance is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"        labels: {{ instance: \"{instance}\" }}\n");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Canaries that make every canary panel show something: a plain FP32 model, an INT8 model
    /// fed through image preprocessing (stages and drift), a CUDA canary this CPU build skips,
    /// a canary whose model file does not exist (failed runs), and the GPU micro-canaries
    /// (GEMM, device and PCIe copies) on the fake CUDA driver and cuBLASLt. The regression
    /// gate judges after three baseline runs and an evidence window of three.
    /// </summary>
    private static string SingleNodeConfig(string state, int miniThreads, bool seed = false)
    {
        var missing = Path.Combine(state, "missing.onnx");
        const string Measure = """ "Measure": { "MinIterations": 20, "MinDuration": "00:00:00.050", "Budget": "00:00:10", "WarmupMaxDuration": "00:00:00.200" } """;
        const string Quick = """ "Measure": { "MinIterations": 20, "MinDuration": "00:00:00", "WarmupMaxIterations": 10, "Budget": "00:00:10" } """;

        // Long enough for the GPM samples at the window's edges (100 ms apart at least).
        const string Windowed = """ "Measure": { "MinIterations": 20, "MinDuration": "00:00:00.200", "WarmupMaxIterations": 10, "Budget": "00:00:10" } """;
        var gemm = $$"""{ "Name": "gemm", "Model": "cuda:gemm", "Precision": "BF16", "Size": 1024, "Interval": "00:00:01", {{Quick}} }""";
        var mini = $$"""{ "Name": "mini", "Model": "builtin:resnet-mini", "Interval": "00:00:02", "Threads": {{miniThreads}}, {{Measure}} }""";
        var canaries = seed
            ? $"{gemm}, {mini}"
            : $$"""
                {{mini}},
                { "Name": "mini-int8-image", "Model": "builtin:resnet-mini", "Precision": "INT8", "ImageInput": "Small", "Interval": "00:00:03", "Threads": 1, {{Measure}} },
                { "Name": "cuda", "Model": "builtin:resnet-mini", "Provider": "CUDA", "Interval": "00:00:03" },
                { "Name": "broken", "Model": "{{missing}}", "Interval": "00:00:03" },
                {{gemm}},
                { "Name": "d2d", "Model": "cuda:memcpy", "Size": 4, "Interval": "00:00:02", {{Windowed}} },
                { "Name": "pcie", "Model": "cuda:pcie", "Size": 2, "Interval": "00:00:02", {{Quick}} }
                """;
        return $$"""
            { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1, "GpuBusyThreshold": 1 },
              "Regression": { "MinimumBaseline": 3, "BaselineWindow": 5, "EvidenceWindow": 3, "ConfirmationRuns": 2 },
              "Canaries": [ {{canaries}} ] }
            """;
    }

    /// <summary>Runs the node until history.db holds six measured GEMM runs and one "mini" run with two threads, then stops it.</summary>
    private async Task SeedHistoryAsync(string state, string[] arguments)
    {
        var config = _temp.File("seed.json", SingleNodeConfig(state, miniThreads: 2, seed: true));
        await using var daemon = DaemonProcess.Start(state, ["--config", config, .. arguments], GpuEnvironment(matmulMicroseconds: 1000));
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var metrics = await daemon.WaitForAsync("/metrics", s_startTimeout);
            // Measured runs: with 20 calls a run is `unstable` (its p99 rests on too few), which
            // the gate judges as it judges `ok` ones.
            if (Runs(metrics, "gemm", "ok") + Runs(metrics, "gemm", "unstable") >= 6 && Runs(metrics, "mini", "ok") + Runs(metrics, "mini", "unstable") >= 1)
            {
                break;
            }

            Assert.True(watch.Elapsed < s_dataTimeout, $"the seeding run did not record six measured GEMM runs and a mini run:\n{daemon.StandardOutput}");
            await Task.Delay(250);
        }

        var (exitCode, _) = await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(20));
        Assert.True(exitCode == 0, daemon.StandardOutput);
        _output.WriteLine($"history seeded in {watch.Elapsed}");

        static double Runs(string metrics, string canary, string status) => metrics.Split('\n')
            .Where(l => l.StartsWith("benchdaemon_canary_runs_total{", StringComparison.Ordinal)
                        && l.Contains($"canary=\"{canary}\"", StringComparison.Ordinal) && l.Contains($"status=\"{status}\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>The fake NVML as the GPU probe's library, every GPU series on, slow reads every second.</summary>
    private static string[] GpuArguments() =>
    [
        "--set", $"Probes:Gpu:LibraryPath={FakeNvmlLibrary.Path}",
        "--set", "Probes:Gpu:ProcessMetrics=true",
        "--set", "Probes:Gpu:PcieInterval=00:00:01",
        "--set", "Probes:Gpu:EnergyInterval=00:00:01",
        "--set", "Probes:Gpu:GpmInterval=00:00:01",
        "--set", $"Cuda:LibraryDirectory={FakeCudaLibraries.Full}",
    ];

    /// <summary>
    /// One fake GPU on both sides: the fake CUDA driver's only device (ordinal 0) is the fake
    /// NVML's GPU 0, whose energy counter the GEMM's joules per FLOP are read from. With one
    /// device the orders agree whatever CUDA_DEVICE_ORDER says; it is set to PCI_BUS_ID (the
    /// order NVML enumerates in, docs/canaries.md) as on a real multi-GPU node. GPU 0 draws
    /// 300 W (its energy counter grows with real time), reports corrected and uncorrected ECC errors, a retired page and a
    /// remapped row, power-cap and hardware-slowdown clock events (no thermal one: the
    /// thermal guard would skip the GPU canaries), an Xid 79 and one compute process
    /// (this test's own, so it has a name).
    /// </summary>
    private Dictionary<string, string> GpuEnvironment(int matmulMicroseconds)
    {
        var script = _temp.File("fake-nvml.script", $"""
            count 2
            set 1 gpm_supported 1
            gpm 1 2 50
            gpm 1 10 20
            mig 1 1 0 3g.40gb 1073741824 42949672960
            set 0 energy_watts 300
            set 0 ecc_corr 3
            set 0 ecc_uncorr 1
            set 0 retired_sbe 1
            set 0 retired_dbe 1
            set 0 remap_corr 1
            set 0 remap_unc 1
            set 0 reasons {0x4 | 0x8}
            xid 0 79
            process 0 {Environment.ProcessId} 1073741824
            procutil 0 {Environment.ProcessId} 50 5
            set 0 gpm_supported 1
            gpm 0 2 80
            gpm 0 3 30
            gpm 0 5 60
            gpm 0 7 55
            gpm 0 10 40
            gpm 0 12 5
            gpm 0 20 100
            gpm 0 60 1000
            set 0 nvlinks 2
            set 0 nvlink_tx 1000
            set 0 nvlink_replay 1
            """);
        return new()
        {
            ["FAKE_NVML_SCRIPT"] = script,
            ["FAKE_CUBLAS_MATMUL_US"] = matmulMicroseconds.ToString(CultureInfo.InvariantCulture),
            ["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID",
        };
    }

    [GeneratedRegex(@"(?m)^(?<indent>\s+)for: \S+")]
    private static partial Regex ForClause();

    [GeneratedRegex(@"(?m)^\s+- (record|alert): ")]
    private static partial Regex RuleDeclaration();

    /// <summary>
    /// A RAPL package-0 zone under a fake /sys whose counter grows by 5 J every 100 ms (50 W),
    /// so energy panels and joules per sample have numbers on machines without readable RAPL.
    /// </summary>
    private sealed class FakeRapl : IDisposable
    {
        private readonly string _counter;
        private readonly Timer _timer;
        private long _microjoules = 1_000_000;

        public FakeRapl(string sysRoot)
        {
            SysRoot = sysRoot;
            var zone = Directory.CreateDirectory(Path.Combine(sysRoot, "class", "powercap", "intel-rapl:0")).FullName;
            File.WriteAllText(Path.Combine(zone, "name"), "package-0\n");
            File.WriteAllText(Path.Combine(zone, "max_energy_range_uj"), "262143328850\n");
            File.WriteAllText(Path.Combine(zone, "enabled"), "1\n");
            _counter = Path.Combine(zone, "energy_uj");
            Write();
            _timer = new Timer(_ => Tick(), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
        }

        public string SysRoot { get; }

        public void Dispose() => _timer.Dispose();

        private void Tick()
        {
            Interlocked.Add(ref _microjoules, 5_000_000);
            Write();
        }

        // Write and rename, so the daemon never reads a half-written number.
        private void Write()
        {
            lock (_counter)
            {
                var temporary = _counter + ".tmp";
                File.WriteAllText(temporary, Interlocked.Read(ref _microjoules).ToString(CultureInfo.InvariantCulture) + "\n");
                File.Move(temporary, _counter, overwrite: true);
            }
        }
    }
}
