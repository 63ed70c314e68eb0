using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace BenchDaemon.Bench.Canary;

/// <summary>
/// Part 2 of F3: the p50 that <c>benchdaemon once --json</c> reports against the median of
/// the same loop on onnxruntime-node, on the same model files, in one run. Every measurement
/// is a fresh process; the arms alternate round by round (A B C, then C B A, …) so that drift of
/// a noisy machine falls on both sides. The arms are BenchDaemon, node through its public
/// async API, and node through its synchronous native binding.
/// </summary>
internal sealed class FidelityBenchmark(FidelitySettings settings, TextWriter progress)
{
    private const string BenchDaemon = "benchdaemon";
    private const string Node = "node";
    private const string NodeBinding = "node-binding";
    private const double Tolerance = 0.03;
    private static readonly string[] s_arms = [BenchDaemon, Node, NodeBinding];
    private static readonly TimeSpan s_processTimeout = TimeSpan.FromMinutes(5);

    public FidelityResults Run()
    {
        Directory.CreateDirectory(settings.WorkDirectory);
        var samples = new Dictionary<(string Model, string Arm), List<Measurement>>();
        string? nodeVersion = null;
        for (var round = 0; round < settings.Rounds; round++)
        {
            var order = round % 2 == 0 ? s_arms : [.. s_arms.Reverse()];
            foreach (var (model, iterations) in settings.Cases)
            {
                foreach (var arm in order)
                {
                    var m = arm == BenchDaemon ? RunBenchDaemon(model, iterations) : RunNode(model, iterations, arm == Node ? "public" : "binding");
                    nodeVersion ??= m.Version;
                    progress.WriteLine($"[fidelity] round {round + 1}/{settings.Rounds} {model} {arm}: p50 {Statistics.Micros(m.P50)} µs, p90 {Statistics.Micros(m.P90)} µs ({m.Iterations} calls)");
                    if (!samples.TryGetValue((model, arm), out var list))
                    {
                        samples[(model, arm)] = list = [];
                    }

                    list.Add(m);
                }
            }
        }

        return new FidelityResults(settings.Cases, samples, nodeVersion ?? "?");
    }

    public static void WriteTable(TextWriter output, FidelityResults results, string benchDaemonOrtVersion)
    {
        var rounds = results.Samples.Values.FirstOrDefault()?.Count ?? 0;
        output.WriteLine($"Per-call latency, µs: median over {rounds} rounds [interquartile range]. Ratios are taken per round and given as median [interquartile range]:");
        output.WriteLine("\"p50 ratio\" and \"p90 ratio\" = BenchDaemon / node (public API); \"vs binding\" = BenchDaemon p50 / node binding p50.");
        output.WriteLine($"ONNX Runtime: BenchDaemon {benchDaemonOrtVersion} (Microsoft.ML.OnnxRuntime), node {results.NodeVersion} (onnxruntime-node).");
        output.WriteLine();
        output.WriteLine("| model | N | BenchDaemon p50 | node p50 | node binding p50 | p50 ratio | vs binding | BenchDaemon p90 | node p90 | p90 ratio | goal | met |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var (model, iterations) in results.Cases)
        {
            var bd = results.Samples[(model, BenchDaemon)];
            var node = results.Samples[(model, Node)];
            var binding = results.Samples[(model, NodeBinding)];
            var p50Ratios = bd.Zip(node, (a, b) => a.P50 / b.P50).ToList();
            var p90Ratios = bd.Zip(node, (a, b) => a.P90 / b.P90).ToList();
            var bindingRatios = bd.Zip(binding, (a, b) => a.P50 / b.P50).ToList();
            var ratio = Statistics.Median(p50Ratios);
            var (goal, met) = model == BenchModels.Mlp
                ? ("BenchDaemon lower", ratio < 1 ? "yes" : $"**no** ({Statistics.Percent(ratio)})")
                : ($"within ±{Tolerance:P0}", Math.Abs(ratio - 1) <= Tolerance ? "yes" : $"**no** ({Statistics.Percent(ratio)})");
            output.WriteLine($"| {model} | {iterations} "
                + $"| {Statistics.MicrosSpread([.. bd.Select(x => x.P50)])} "
                + $"| {Statistics.MicrosSpread([.. node.Select(x => x.P50)])} "
                + $"| {Statistics.MicrosSpread([.. binding.Select(x => x.P50)])} "
                + $"| {Statistics.RatioSpread(p50Ratios)} "
                + $"| {Statistics.RatioSpread(bindingRatios)} "
                + $"| {Statistics.MicrosSpread([.. bd.Select(x => x.P90)])} "
                + $"| {Statistics.MicrosSpread([.. node.Select(x => x.P90)])} "
                + $"| {Statistics.RatioSpread(p90Ratios)} "
                + $"| {goal} | {met} |");
        }
    }

    private Measurement RunBenchDaemon(string model, int iterations)
    {
        var config = Path.Combine(settings.WorkDirectory, model + ".json");
        if (!File.Exists(config))
        {
            var canary = new Dictionary<string, object>
            {
                ["Name"] = model,
                ["Model"] = Path.GetFullPath(BenchModels.PathOf(settings.ModelDirectory, model)),
                ["BatchSizes"] = new[] { 1 },
                ["Threads"] = 1,
                ["Measure"] = new Dictionary<string, object>
                {
                    ["MinIterations"] = iterations,
                    ["MinDuration"] = "00:00:00",
                    ["Budget"] = "00:05:00",
                },
            };
            File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, object> { ["Canaries"] = new[] { canary } }));
        }

        var stdout = Execute(settings.BenchDaemon, ["once", "--json", "--config", config]);
        using var document = JsonDocument.Parse(stdout);
        var result = document.RootElement[0];
        var status = result.GetProperty("status").GetString();
        if (status is not ("ok" or "unstable"))
        {
            throw new InvalidOperationException($"benchdaemon {model}: {status}: {result.GetProperty("reason")}");
        }

        var latency = result.GetProperty("latencySeconds");
        return new Measurement(latency.GetProperty("p50").GetDouble(), latency.GetProperty("p90").GetDouble(), result.GetProperty("iterations").GetInt32(), null);
    }

    private Measurement RunNode(string model, int iterations, string api)
    {
        var stdout = Execute(settings.Node, [settings.NodeScript, "--model", BenchModels.PathOf(settings.ModelDirectory, model),
            "--iterations", iterations.ToString(CultureInfo.InvariantCulture), "--api", api]);
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        var latency = root.GetProperty("latencySeconds");
        return new Measurement(latency.GetProperty("p50").GetDouble(), latency.GetProperty("p90").GetDouble(), root.GetProperty("iterations").GetInt32(), root.GetProperty("version").GetString());
    }

    private static string Execute(string fileName, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_processTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} ran past {s_processTimeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }

    /// <summary>One process's result, in seconds.</summary>
    internal sealed record Measurement(double P50, double P90, int Iterations, string? Version);
}
