using System.Globalization;
using BenchDaemon.Bench.Canary;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging.Abstractions;

// canary-bench: harness overhead and fidelity of the canary loop (issue F3). ../run.sh drives it.
//
//   canary-bench models DIR
//   canary-bench overhead --models DIR [--rounds 40] [--mlp 50000] [--slow50 1000]
//   canary-bench fidelity --models DIR --benchdaemon EXE --node-script canary.mjs --work DIR
//                         [--node node] [--rounds 16] [--mlp 50000] [--slow50 1000] [--slow400 200]
//
// Tables (Markdown) go to stdout, progress to stderr.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: canary-bench models DIR | overhead --models DIR [...] | fidelity --models DIR --benchdaemon EXE --node-script FILE --work DIR [...]");
    return 2;
}

var options = ParseOptions(args.Skip(1).ToArray());
switch (args[0])
{
    case "models":
        foreach (var path in BenchModels.WriteAll(args.Length > 1 ? args[1] : "."))
        {
            Console.WriteLine(path);
        }

        return 0;

    case "overhead":
    {
        var runtime = new OnnxRuntimeInfo();
        var runner = new CanaryRunner(runtime, TimeProvider.System, NullLogger<CanaryRunner>.Instance);
        var benchmark = new OverheadBenchmark(runner, Console.Error);
        var results = benchmark.Run(
            Required(options, "models"),
            [(BenchModels.Mlp, Int(options, "mlp", 50_000)), (BenchModels.Slow50, Int(options, "slow50", 1_000))],
            Int(options, "rounds", 40));
        Console.WriteLine($"ONNX Runtime {runtime.Version}, {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}.");
        Console.WriteLine();
        OverheadBenchmark.WriteTables(Console.Out, results);
        return 0;
    }

    case "fidelity":
    {
        var settings = new FidelitySettings(
            Required(options, "benchdaemon"),
            options.GetValueOrDefault("node", "node"),
            Required(options, "node-script"),
            Required(options, "models"),
            Required(options, "work"),
            [
                (BenchModels.Mlp, Int(options, "mlp", 50_000)),
                (BenchModels.Slow50, Int(options, "slow50", 1_000)),
                (BenchModels.Slow400, Int(options, "slow400", 200)),
            ],
            Int(options, "rounds", 16));
        var results = new FidelityBenchmark(settings, Console.Error).Run();
        FidelityBenchmark.WriteTable(Console.Out, results, new OnnxRuntimeInfo().Version);
        return 0;
    }

    default:
        Console.Error.WriteLine($"unknown command '{args[0]}'");
        return 2;
}

static Dictionary<string, string> ParseOptions(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
        {
            break;
        }

        options[args[i][2..]] = args[i + 1];
    }

    return options;
}

static string Required(Dictionary<string, string> options, string name) =>
    options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

static int Int(Dictionary<string, string> options, string name, int fallback) =>
    options.TryGetValue(name, out var value) ? int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) : fallback;
