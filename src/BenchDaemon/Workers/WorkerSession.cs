using System.Diagnostics;
using System.Text.Json;
using BenchDaemon.Probes;
using BenchDaemon.Probes.Linux;
using BenchDaemon.Probes.Nvml;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Models.Zoo;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Studies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Workers;

/// <summary>
/// A worker's engines, built once from <see cref="WorkerSettings"/>: ONNX Runtime, the CUDA
/// micro-canaries, the model zoo, and the energy meters and GPU clock windows read at the edges
/// of each measured window. Handles one request at a time.
/// </summary>
internal sealed class WorkerSession : IDisposable
{
    /// <summary>Event id of the phase lines (<see cref="Report"/>).</summary>
    public const int PhaseEventId = 460;

    private readonly WorkerOutput _output;
    private readonly ILoggerFactory _loggers;
    private readonly GpuProbe _gpus;
    private readonly IEnergyMeter _energy;
    private readonly ModelZoo _zoo;
    private readonly OnnxRuntimeInfo _runtime;
    private readonly CanaryRunner _runner;
    private readonly TimeSpan _clockInterval;
    private readonly WorkerSpans? _spans;
    private readonly Lazy<ProviderUsabilityReport> _usability;

    public WorkerSession(WorkerSettings settings, WorkerOutput output)
    {
        _output = output;
        _loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(settings.MinimumLevel)
            // The daemon's own GPU probe reports NVML's state; a worker's copy (energy and clock
            // windows only) would repeat it at every worker start.
            .AddFilter(typeof(GpuProbe).Namespace, LogLevel.Error)
            .AddProvider(new ProtocolLoggerProvider(output, settings.MinimumLevel)));
        // ONNX Runtime's own log goes to the daemon as log events, not as coloured text on
        // standard error: its environment is created here, before anything else touches it
        // (OnnxRuntimeInfo, the model zoo's calibration, the usability check).
        _ = OnnxRuntimeLog.Install(_loggers.CreateLogger(typeof(OnnxRuntimeLog).FullName!), settings.OnnxRuntime.LibraryPath);
        var time = TimeProvider.System;
        var probes = Options.Create(settings.Probes);
        _clockInterval = settings.Probes.Interval;
        _spans = settings.Spans ? new WorkerSpans() : null;
        _gpus = new GpuProbe(probes, time, _loggers.CreateLogger<GpuProbe>());
        _energy = new CompositeEnergyMeter(new RaplEnergyMeter(probes), _gpus);
        _zoo = new ModelZoo(settings.StateDirectory, _loggers.CreateLogger<ModelZoo>(), time);
        _runtime = new OnnxRuntimeInfo(Options.Create(settings.OnnxRuntime), Options.Create(settings.Cuda));
        // Whether each GPU provider really runs here: checked once per worker, on first need (it
        // loads CUDA, cuDNN and TensorRT and creates a tiny session per provider and device).
        var checker = new ProviderUsabilityChecker(_runtime, Options.Create(settings.Cuda), Options.Create(settings.OnnxRuntime), time);
        _usability = new Lazy<ProviderUsabilityReport>(() => checker.Check());
        var cuda = new CudaCanaryRunner(Options.Create(settings.Cuda), _loggers.CreateLogger<CudaCanaryRunner>(), _energy, clocks: _gpus);
        _runner = new CanaryRunner(_runtime, time, _loggers.CreateLogger<CanaryRunner>(), _energy, _zoo, cuda, _gpus, () => _usability.Value, settings.StateDirectory);
    }

    /// <summary>Answers <paramref name="request"/>.</summary>
    public WorkerEvent Handle(WorkerRequest request, CancellationToken token) => request switch
    {
        DescribeRequest describe => new DescriptionEvent(describe.Id, new RuntimeDescription(_runtime.Version, _runtime.CompiledProviders, _runtime.Error, _usability.Value)),
        PrepareRequest prepare => Prepare(prepare, token),
        RunRequest run => Run(run, token),
        StudyCellRequest cell => StudyCell(cell, token),
        GenerateRequest generate => Generate(generate, token),
        _ => new FailedEvent(request.Id, $"unknown request {request.GetType().Name}"),
    };

    public void Dispose()
    {
        _spans?.Dispose();
        _gpus.Dispose();
        _loggers.Dispose();
    }

    private PreparedEvent Prepare(PrepareRequest request, CancellationToken token)
    {
        _output.Send(new ProgressEvent(request.Id, CanaryPhase.Preparing));
        var prepared = _runner.Prepare(WorkerProtocol.Restore(request.Canary), token);
        return new PreparedEvent(request.Id, prepared.Seconds, prepared.Generated, prepared.Status, prepared.ReasonCode, prepared.Reason);
    }

    private RunResultEvent Run(RunRequest request, CancellationToken token)
    {
        using var clocks = FeedClockWindows();
        var result = _runner.Run(WorkerProtocol.Restore(request.Canary), request.Batch, phase => Report(request.Id, request.Canary.Name, request.Batch, phase), token);
        var samples = WorkerProtocol.Thin(result.Samples, out var weight);
        return new RunResultEvent(request.Id, result, samples.Count > 0 ? WorkerProtocol.EncodeSamples(samples) : null, _spans?.Take(), weight);
    }

    private StudyCellEvent StudyCell(StudyCellRequest request, CancellationToken token)
    {
        using var clocks = FeedClockWindows();
        var cell = request.Cell with { Canary = WorkerProtocol.Restore(request.Cell.Canary) };
        var runner = new StudyRunner(
            (canary, batch, t) =>
            {
                // A cell is prepared and run as a canary is: generation is not its measurement.
                _output.Send(new ProgressEvent(request.Id, CanaryPhase.Preparing));
                var prepared = _runner.Prepare(canary, t);
                return prepared.Status is { } status
                    ? CanaryResult.Of(canary, batch, status, DateTimeOffset.UtcNow, prepared.ReasonCode, prepared.Reason)
                    : _runner.Run(canary, batch, phase => Report(request.Id, canary.Name, batch, phase), t);
            },
            _energy);
        return new StudyCellEvent(request.Id, runner.MeasureCell(request.Study, cell, request.EnergyReason, token), _spans?.Take());
    }

    private GeneratedEvent Generate(GenerateRequest request, CancellationToken token)
    {
        _output.Send(new ProgressEvent(request.Id, CanaryPhase.Preparing));
        var start = Stopwatch.GetTimestamp();
        var path = _zoo.GetPath(request.Model, request.Precision, token);
        return new GeneratedEvent(request.Id, path, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    // The phase goes to the daemon twice: as progress (its time limit follows it) and as a debug
    // log line, which the daemon keeps as the worker's last line whatever its log level, so a
    // worker that dies says where it was.
    private void Report(long id, string canary, int batch, CanaryPhase phase)
    {
        _output.Send(new ProgressEvent(id, phase));
        var what = phase switch
        {
            CanaryPhase.Preparing => "preparing models",
            CanaryPhase.Session => "creating the session",
            CanaryPhase.Measuring => "measuring (warm-up and measured window)",
            _ => "checking outputs",
        };
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["Canary"] = JsonSerializer.SerializeToElement(canary, BenchDaemonJsonContext.Default.String),
            ["Batch"] = JsonSerializer.SerializeToElement(batch, BenchDaemonJsonContext.Default.Int32),
            ["Phase"] = JsonSerializer.SerializeToElement(what, BenchDaemonJsonContext.Default.String),
        };
        _output.Send(new LogEvent(LogLevel.Debug, typeof(WorkerSession).FullName!, PhaseEventId, "Phase", $"Canary {canary} batch {batch}: {what}", "Canary {Canary} batch {Batch}: {Phase}", properties, null));
    }

    // In the daemon the probe's ticks feed an open clock window; here a timer does, for the
    // length of one request, at the probe interval.
    private ITimer? FeedClockWindows()
    {
        _gpus.Start();
        return _gpus.IsUp ? TimeProvider.System.CreateTimer(_ => _gpus.Sample(initialize: false), null, _clockInterval, _clockInterval) : null;
    }
}
