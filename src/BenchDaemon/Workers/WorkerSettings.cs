using BenchDaemon.Probes;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Workers;

/// <summary>What a worker is told at start (<see cref="InitRequest"/>): the daemon's validated options it needs.</summary>
/// <param name="StateDirectory">The state directory: the model cache lives under it.</param>
/// <param name="OnnxRuntime">Which ONNX Runtime library to load.</param>
/// <param name="Cuda">Where the CUDA libraries are.</param>
/// <param name="Probes">Where /proc and /sys are, and the NVML options (energy and clock windows of a run are read in the worker).</param>
/// <param name="MinimumLevel">The lowest log level the daemon logs: the worker sends nothing below it.</param>
/// <param name="Spans">Whether the daemon exports traces: the worker then records each run's spans and sends them with its answer.</param>
public sealed record WorkerSettings(
    string StateDirectory,
    OnnxRuntimeOptions OnnxRuntime,
    CudaOptions Cuda,
    ProbeOptions Probes,
    LogLevel MinimumLevel,
    bool Spans = false);
