using System.Text;
using BenchDaemon.Scheduling;
using BenchDaemon.Telemetry;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>
/// A <see cref="CanaryCoordinator"/> wired as the daemon wires it: a real ONNX Runtime runner,
/// the real guards, result sink, recorder and Prometheus sink over a private registry, and a
/// fake host lifetime. Tiny models are written to a temporary directory.
/// </summary>
public sealed class CoordinatorHarness : IDisposable
{
    private static readonly OnnxRuntimeInfo s_runtime = new();
    private readonly TempDirectory _models = new();

    public CoordinatorHarness(GuardOptions? guards = null, TimeProvider? timeProvider = null)
    {
        var time = timeProvider ?? TimeProvider.System;
        Time = time;
        Guards = new StaticOptionsMonitor<GuardOptions>(guards ?? new GuardOptions { DutyFraction = 1 });
        Duty = new DutyCycle(time);
        var sources = new List<IMetricSource>();
        Prometheus = new PrometheusMetricSink(Registry, sources);
        Recorder = new TelemetryRecorder(Registry);
        Sink = new CanaryResultSink(Recorder, time, NullLogger<CanaryResultSink>.Instance);
        sources.Add(Sink);
        sources.Add(Duty);
        Coordinator = new CanaryCoordinator(
            new InProcessExecutor(new CanaryRunner(s_runtime, TimeProvider.System, NullLogger<CanaryRunner>.Instance)),
            new CanaryGuards(Guards, Proc.Sampler, Gpus, Duty),
            Sink,
            Duty,
            Guards,
            time,
            Lifetime,
            NullLogger<CanaryCoordinator>.Instance);
        Mlp = Write("mlp.onnx", TinyModels.Mlp());
    }

    public TimeProvider Time { get; }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public PrometheusMetricSink Prometheus { get; }

    public TelemetryRecorder Recorder { get; }

    public CanaryResultSink Sink { get; }

    public DutyCycle Duty { get; }

    public StaticOptionsMonitor<GuardOptions> Guards { get; }

    /// <summary>The host probe's files; until <see cref="FakeProcRoot.At"/> is called there is no CPU figure and the CPU guard lets runs through.</summary>
    public FakeProcRoot Proc { get; } = new();

    public FakeGpuStatusSource Gpus { get; } = new();

    public FakeHostApplicationLifetime Lifetime { get; } = new();

    public CanaryCoordinator Coordinator { get; }

    /// <summary>Path of <see cref="TinyModels.Mlp"/>.</summary>
    public string Mlp { get; }

    public string Write(string name, byte[] model)
    {
        var path = Path.Combine(_models.Path, name);
        File.WriteAllBytes(path, model);
        return path;
    }

    /// <summary>The text /metrics would serve now.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public void Dispose()
    {
        Coordinator.Dispose();
        Lifetime.Dispose();
        Proc.Dispose();
        _models.Dispose();
    }
}
