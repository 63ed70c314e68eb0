using System.Diagnostics;
using System.Globalization;
using BenchDaemon.Probes;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Usage: worker-cost <benchdaemon.dll> <resnet50.onnx> <rounds> <output.csv>
// Interleaved rounds (order rotated each round) of three ways to run the same canary:
//   in-process  the engine in this process (what the daemon did before workers);
//   fresh       a new worker per run (start, handshake, ONNX Runtime load, run, teardown);
//   reused      one worker kept between runs (the daemon's default within a round of canaries).
// Per run: wall time of the call, the canary's p50, the worker's peak RSS.
var dll = args[0];
var resnet = args[1];
var rounds = int.Parse(args[2], CultureInfo.InvariantCulture);
var output = args[3];
var scratch = Directory.CreateTempSubdirectory("worker-cost-").FullName;
var mlp = Path.Combine(scratch, "mlp.onnx");
File.WriteAllBytes(mlp, TinyModels.Mlp());

// The built-in defaults' measurement settings, so the ratio is to a default canary's wall time.
var defaults = DefaultCanaries.For(ProviderUsabilityReport.None)[0].Measure;
CanaryDefinition Canary(string name, string model) => CanaryExpander.Expand([new CanaryOptions { Name = name, Model = model, Threads = 0, Measure = defaults }]).Canaries.Single();
var canaries = new[] { Canary("tiny", mlp), Canary("resnet50", resnet) };

var inProcess = new CanaryRunner(new OnnxRuntimeInfo(), TimeProvider.System, NullLogger<CanaryRunner>.Instance);
var settings = new WorkerSettings(scratch, new OnnxRuntimeOptions(), new CudaOptions(), new ProbeOptions { Gpu = { Enabled = false } }, LogLevel.Warning);
using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
using var fresh = new WorkerPool(WorkerCommand.ForAssembly(dll), settings, new Monitor(new WorkerOptions { IdleTimeout = TimeSpan.Zero }), loggers, TimeProvider.System);
using var reused = new WorkerPool(WorkerCommand.ForAssembly(dll), settings, new Monitor(new WorkerOptions { IdleTimeout = TimeSpan.FromHours(1) }), loggers, TimeProvider.System);

var arms = new (string Name, Func<CanaryDefinition, Task<CanaryResult>> Run)[]
{
    ("in-process", c => Task.FromResult(inProcess.Run(c, 1))),
    ("fresh", c => fresh.RunAsync(c, 1, CancellationToken.None)),
    ("reused", c => reused.RunAsync(c, 1, CancellationToken.None)),
};

using var csv = new StreamWriter(output);
csv.WriteLine("round,arm,canary,wall_seconds,p50_seconds,status,worker_peak_rss_bytes");
for (var round = 0; round < rounds; round++)
{
    foreach (var canary in canaries)
    {
        for (var i = 0; i < arms.Length; i++)
        {
            var (name, run) = arms[(i + round) % arms.Length];
            var clock = Stopwatch.StartNew();
            var result = await run(canary);
            clock.Stop();
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{round},{name},{canary.Name},{clock.Elapsed.TotalSeconds:F4},{result.LatencySeconds?.P50:G6},{result.Status},{result.WorkerPeakResidentBytes}");
            csv.WriteLine(line);
            csv.Flush();
            Console.Error.WriteLine(line);
        }
    }
}

Directory.Delete(scratch, recursive: true);

internal sealed class Monitor(WorkerOptions value) : IOptionsMonitor<WorkerOptions>
{
    public WorkerOptions CurrentValue => value;

    public WorkerOptions Get(string? name) => value;

    public IDisposable? OnChange(Action<WorkerOptions, string?> listener) => null;
}
