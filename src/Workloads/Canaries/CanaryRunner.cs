using System.Diagnostics;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Probes.Nvml;
using BenchDaemon.Workloads.Models.Zoo;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Runs one canary at one batch size with the measurement protocol of DESIGN.md: session
/// creation timed on its own; warm-up until latencies settle; a measured loop over
/// pre-allocated, bound inputs and outputs; statistics, throughput, CPU time and energy of
/// the window; drift against the FP32 reference. Every failure becomes a
/// <see cref="CanaryResult"/> with a reason; native resources are released on every path.
/// </summary>
public sealed partial class CanaryRunner
{
    /// <summary>The source of the canary trace spans: one per run, with a child per stage.</summary>
    public const string ActivitySourceName = "BenchDaemon.Canaries";

    private static readonly ActivitySource s_activities = new(ActivitySourceName);

    private readonly OnnxRuntimeInfo _runtime;
    private readonly IEnergyMeter? _energyMeter;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CanaryRunner> _logger;
    private readonly ModelZoo? _zoo;
    private readonly CudaCanaryRunner _cuda;
    private readonly IGpuClockMonitor? _clocks;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ((long Length, DateTime Modified) Stamp, string Digest)> _digests = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Canary, string Path), string> _mismatchesLogged = new();

    public CanaryRunner(OnnxRuntimeInfo runtime, TimeProvider timeProvider, ILogger<CanaryRunner> logger, IEnergyMeter? energyMeter = null, ModelZoo? zoo = null, CudaCanaryRunner? cuda = null, IGpuClockMonitor? clocks = null)
    {
        _clocks = clocks;
        _runtime = runtime;
        _timeProvider = timeProvider;
        _logger = logger;
        _energyMeter = energyMeter;
        _zoo = zoo;
        _cuda = cuda ?? new CudaCanaryRunner(Options.Create(new CudaOptions()), NullLogger<CudaCanaryRunner>.Instance, energyMeter);
    }

    /// <summary>Runs every batch size of <paramref name="canary"/> in turn.</summary>
    public IEnumerable<CanaryResult> RunAll(CanaryDefinition canary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canary);
        foreach (var batch in canary.BatchSizes)
        {
            yield return Run(canary, batch, cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="canary"/> at <paramref name="batch"/> (a CUDA micro-canary through <see cref="CudaCanaryRunner"/>). Never throws for a canary problem.</summary>
    public CanaryResult Run(CanaryDefinition canary, int batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var result = new CanaryResult
        {
            Canary = canary.Name,
            Model = canary.ModelLabel,
            Provider = canary.Provider,
            Precision = canary.Precision,
            Batch = batch,
            Status = CanaryStatus.Failed,
            StartedAt = _timeProvider.GetUtcNow(),
        };

        using var activity = s_activities.StartActivity("canary " + canary.Name);
        activity?.SetTag("canary", canary.Name);
        activity?.SetTag("model", canary.ModelLabel);
        activity?.SetTag("provider", canary.Provider);
        activity?.SetTag("precision", canary.Precision.ToString());
        activity?.SetTag("batch", batch);
        try
        {
            result = Execute(canary, batch, result, cancellationToken);
        }
        catch (CanaryInputException ex)
        {
            result = result with { Status = CanaryStatus.Failed, Reason = ex.Message, ReasonCode = ex.Code };
        }
        catch (OnnxRuntimeException ex)
        {
            var code = ex.Message.Contains("alloc", StringComparison.OrdinalIgnoreCase) ? ReasonCodes.OutOfMemory : ReasonCodes.RuntimeError;
            result = result with { Status = CanaryStatus.Failed, Reason = "ONNX Runtime: " + FirstLine(ex.Message), ReasonCode = code };
        }
        catch (OutOfMemoryException)
        {
            result = result with { Status = CanaryStatus.Failed, Reason = "out of memory", ReasonCode = ReasonCodes.OutOfMemory };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            result = result with { Status = CanaryStatus.Failed, Reason = FirstLine(ex.Message), ReasonCode = ReasonCodes.ModelInvalid };
        }

        activity?.SetTag("status", result.Status.ToString().ToLowerInvariant());
        if (result.Status == CanaryStatus.Failed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Reason);
        }

        LogFinished(_logger, result.Canary, result.Batch, result.Status, result.Reason ?? "-", result.LatencySeconds?.P50 ?? double.NaN);
        return result;
    }

    private CanaryResult Execute(CanaryDefinition canary, int batch, CanaryResult result, CancellationToken cancellationToken)
    {
        if (canary.IsCuda)
        {
            return _cuda.Run(canary, result, cancellationToken);
        }

        var ortProvider = ExecutionProviders.ToOrtName(canary.Provider);
        if (_runtime.Error is { } loadError)
        {
            return result with { Status = CanaryStatus.Failed, Reason = $"ONNX Runtime native library unavailable: {loadError}", ReasonCode = ReasonCodes.RuntimeUnavailable };
        }

        if (!_runtime.Providers.Contains(ortProvider, StringComparer.Ordinal))
        {
            return result with
            {
                Status = CanaryStatus.Skipped,
                Reason = $"provider unavailable: {ortProvider} is not in this ONNX Runtime build (available: {string.Join(", ", _runtime.Providers)})",
                ReasonCode = ReasonCodes.ProviderUnavailable,
            };
        }

        // A built-in model becomes an ordinary canary: files per precision from the zoo's cache
        // (generated on first use) and the model's own dimensions under the user's Inputs.
        if (canary.Model.StartsWith(CanaryExpander.BuiltinPrefix, StringComparison.Ordinal))
        {
            if (ResolveBuiltin(canary, cancellationToken) is not { } resolved)
            {
                return result with
                {
                    Status = CanaryStatus.Skipped,
                    Reason = $"built-in model '{canary.ModelLabel}' is not available here (no model cache configured)",
                    ReasonCode = ReasonCodes.ModelUnavailable,
                };
            }

            canary = resolved;
        }

        var (modelPath, precisionVia, unavailable) = ResolveModel(canary);
        if (modelPath is null)
        {
            return result with { Status = CanaryStatus.Skipped, Reason = precisionVia, ReasonCode = unavailable };
        }

        result = result with { ModelPath = modelPath };
        CheckModelFile(modelPath);
        if (CheckIntegrity(canary, modelPath) is { } mismatch)
        {
            return result with { Status = CanaryStatus.Failed, Reason = mismatch, ReasonCode = ReasonCodes.IntegrityMismatch };
        }

        // The FP32 reference of the drift measurement is a model file too: the same check.
        if (canary.Precision != Precision.FP32 && canary.Variants.TryGetValue(Precision.FP32, out var referencePath)
            && !string.Equals(referencePath, modelPath, StringComparison.Ordinal) && CheckIntegrity(canary, referencePath) is { } referenceMismatch)
        {
            return result with { Status = CanaryStatus.Failed, Reason = referenceMismatch, ReasonCode = ReasonCodes.IntegrityMismatch };
        }

        var sessionStart = Stopwatch.GetTimestamp();
        InferenceSession session;
        string? providerPrecision;
        bool fallback;
        using (s_activities.StartActivity("session"))
        {
            (session, providerPrecision, fallback) = CreateSession(canary, modelPath);
        }

        var sessionSeconds = Stopwatch.GetElapsedTime(sessionStart).TotalSeconds;
        using var _ = session;
        result = result with
        {
            SessionCreateSeconds = sessionSeconds,
            EffectiveProvider = ortProvider,
            EffectivePrecision = providerPrecision ?? precisionVia,
            ProviderFallback = ExecutionProviders.IsCpu(canary.Provider) ? false : fallback,
        };

        var files = canary.InputFiles.ToDictionary(f => f.Key, f => NpyArray.Read(f.Value), StringComparer.Ordinal);
        var shapes = InputGenerator.Shapes(session.InputMetadata, batch, canary.Inputs, files);
        var inputs = InputGenerator.Create(session.InputMetadata, shapes, canary.Inputs, canary.Seed, files);
        var outputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        var stage = canary.ImageInput is { } sizeClass ? ImageStage.Create(session.InputMetadata, inputs, shapes, sizeClass) : null;
        try
        {
            using var runOptions = new RunOptions();
            using var binding = session.CreateIoBinding();
            foreach (var (name, value) in inputs)
            {
                binding.BindInput(name, value);
            }

            foreach (var name in session.OutputNames)
            {
                binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
            }

            // The budget covers warm-up and measurement: no call starts that would end past it.
            // A call that hangs anyway is terminated by ONNX Runtime's run-level flag once the
            // budget plus a grace period has passed (the grace keeps a call that merely ran a
            // little long from being mistaken for a hang).
            var budget = canary.Measure.Budget;
            using var budgetTimer = new CancellationTokenSource(budget + HardStopGrace(budget), _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(budgetTimer.Token, cancellationToken);
            using var terminate = linked.Token.Register(() => runOptions.Terminate = true);
            var runStart = Stopwatch.GetTimestamp();

            try
            {
                // First call: let ONNX Runtime allocate outputs, then pre-allocate and bind them.
                session.RunWithBinding(runOptions, binding);
                BindPreallocatedOutputs(session, binding, outputs);

                double Call()
                {
                    var t0 = Stopwatch.GetTimestamp();
                    session.RunWithBinding(runOptions, binding);
                    // Raw ticks: going through TimeSpan would truncate every sample to 100 ns.
                    return (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
                }

                double StagedCall()
                {
                    stage?.Run();
                    return Call();
                }

                int warmupIterations;
                bool warmupStable;
                using (s_activities.StartActivity("warmup"))
                {
                    // The output-shape call above counts as the first warm-up iteration.
                    (warmupIterations, warmupStable) = MeasurementLoop.WarmUp(Call, canary.Measure, runStart, 1, linked.Token);
                }

                List<double> samples;
                double windowSeconds, cpuSeconds;
                IReadOnlyList<Probes.Linux.EnergyCounter>? energyBefore, energyAfter;
                IReadOnlyList<GpuClockWindowSummary>? gpuClocks;
                using (s_activities.StartActivity("measure"))
                {
                    var clockWindow = GpuWindow(canary);
                    try
                    {
                        energyBefore = _energyMeter?.ReadEnergy();
                        var cpuBefore = ProcessCpu();
                        samples = MeasurementLoop.Measure(StagedCall, canary.Measure, runStart, out windowSeconds, linked.Token);
                        cpuSeconds = (ProcessCpu() - cpuBefore).TotalSeconds;
                        energyAfter = _energyMeter?.ReadEnergy();
                    }
                    finally
                    {
                        // Stopped on every path: an open window is fed by every probe tick.
                        gpuClocks = clockWindow?.Stop();
                    }
                }


                CheckFinite(outputs);
                var stats = LatencyStatistics.From(samples);
                var (energy, perSample) = EnergyDelta(energyBefore, energyAfter, samples.Count * (long)batch, canary.Device);
                var (status, reason, reasonCode) = Judge(stats, canary.Measure, samples.Count, warmupStable, windowSeconds);
                DriftResult? drift = null;
                if (canary.Precision != Precision.FP32)
                {
                    using (s_activities.StartActivity("drift"))
                    {
                        drift = MeasureDrift(canary, inputs, outputs);
                    }
                }

                return result with
                {
                    Status = status,
                    Reason = reason,
                    ReasonCode = reasonCode,
                    Iterations = samples.Count,
                    WarmupIterations = warmupIterations,
                    WarmupStable = warmupStable,
                    LatencySeconds = stats,
                    PerSampleLatencySeconds = stats.Mean / batch,
                    ThroughputSamplesPerSecond = samples.Count * (double)batch / samples.Sum(),
                    MeasureSeconds = windowSeconds,
                    ProcessCpuSeconds = cpuSeconds,
                    EnergyJoules = energy,
                    EnergyJoulesPerSample = perSample,
                    GpuClockEventReasons = GpuMap(gpuClocks, g => g.ClockEventReasons),
                    GpuSmClockHertz = GpuMap(gpuClocks, g => g.SmClockMeanHertz),
                    GpuSmClockMinHertz = GpuMap(gpuClocks, g => g.SmClockMinHertz),
                    Drift = drift,
                    StageSeconds = stage?.MeanSeconds(samples),
                    PreprocessShare = stage?.Share(samples),
                    Samples = samples,
                };
            }
            catch (OnnxRuntimeException) when (linked.IsCancellationRequested)
            {
                return cancellationToken.IsCancellationRequested
                    ? result with { Status = CanaryStatus.Failed, Reason = ReasonCodes.Shutdown, ReasonCode = ReasonCodes.Shutdown }
                    : result with
                    {
                        Status = CanaryStatus.Failed,
                        Reason = $"exceeded its time budget of {budget} (a call did not finish; ONNX Runtime terminated it)",
                        ReasonCode = ReasonCodes.Timeout,
                    };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return result with { Status = CanaryStatus.Failed, Reason = ReasonCodes.Shutdown, ReasonCode = ReasonCodes.Shutdown };
            }
        }
        finally
        {
            foreach (var value in inputs.Values.Concat(outputs.Values))
            {
                value.Dispose();
            }
        }
    }

    private CanaryDefinition? ResolveBuiltin(CanaryDefinition canary, CancellationToken cancellationToken)
    {
        if (_zoo is null || ModelZoo.TryGet(canary.ModelLabel) is not { } info)
        {
            return null;
        }

        var variants = new Dictionary<Precision, string>
        {
            [canary.Precision] = _zoo.GetPath(info.Name, canary.Precision, cancellationToken),
        };
        if (canary.Precision != Precision.FP32)
        {
            variants[Precision.FP32] = _zoo.GetPath(info.Name, Precision.FP32, cancellationToken);
        }

        // "image" describes a fixed input size, not a symbolic dimension: only the others bind.
        var inputs = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in info.Dimensions.Where(d => d.Key != "image"))
        {
            inputs[key] = value;
        }

        foreach (var (key, value) in canary.Inputs)
        {
            inputs[key] = value;
        }

        return canary with { Variants = variants, Inputs = inputs };
    }

    /// <summary>The model file for the requested precision and how the precision comes about; a null path means skip with that reason.</summary>
    private static (string? Path, string Via, string? Unavailable) ResolveModel(CanaryDefinition canary)
    {
        if (canary.Variants.TryGetValue(canary.Precision, out var variant))
        {
            return (variant, canary.Precision == Precision.FP32 ? "FP32" : $"{canary.Precision} (model variant)", null);
        }

        if (canary.Precision != Precision.FP32 && ExecutionProviders.ToOrtName(canary.Provider) == "TensorrtExecutionProvider" && canary.Variants.TryGetValue(Precision.FP32, out var fp32))
        {
            return (fp32, $"{canary.Precision} (TensorRT option)", null);
        }

        return (null, $"precision {canary.Precision} unavailable: no {canary.Precision} model variant (Variants:{canary.Precision}) and provider {canary.Provider} cannot convert precision", ReasonCodes.PrecisionUnavailable);
    }

    private static void CheckModelFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CanaryInputException(ReasonCodes.ModelInvalid, $"model '{path}' is a directory, not an .onnx file");
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new CanaryInputException(ReasonCodes.ModelInvalid, $"model file not found: {path}");
        }

        if (info.Length == 0)
        {
            throw new CanaryInputException(ReasonCodes.ModelInvalid, $"model file is empty: {path}");
        }

        // Open once to turn a permission problem into a clear reason before ONNX Runtime sees it.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
    }

    /// <summary>
    /// Null when <paramref name="path"/> has no configured SHA-256 or matches it, else the reason
    /// to refuse it. A digest is remembered per path, size and modification time, so an
    /// unchanged file is hashed once and a replaced one again.
    /// </summary>
    private string? CheckIntegrity(CanaryDefinition canary, string path)
    {
        if (canary.Sha256 is null || !canary.Sha256.TryGetValue(path, out var expected))
        {
            return null;
        }

        var info = new FileInfo(path);
        var stamp = (info.Length, info.LastWriteTimeUtc);
        string actual;
        if (_digests.TryGetValue(path, out var known) && known.Stamp == stamp)
        {
            actual = known.Digest;
        }
        else
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan))
            {
                actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
            }

            _digests[path] = (stamp, actual);
        }

        if (string.Equals(actual, expected, StringComparison.Ordinal))
        {
            return null;
        }

        // Said once per file content: the refusal repeats at every run, the log line does not.
        if (!_mismatchesLogged.TryGetValue((canary.Name, path), out var logged) || logged != actual)
        {
            _mismatchesLogged[(canary.Name, path)] = actual;
            LogIntegrityMismatch(_logger, canary.Name, path, expected, actual);
        }

        return $"model file {path} has SHA-256 {actual}, not the configured {expected}; refused";
    }

    private static (InferenceSession Session, string? PrecisionVia, bool Fallback) CreateSession(CanaryDefinition canary, string modelPath)
    {
        if (ExecutionProviders.IsCpu(canary.Provider))
        {
            using var options = SessionOptions(canary, disableFallback: false, out var via);
            return (Open(modelPath, options), via, false);
        }

        // Ask for the provider alone first; if some nodes need CPU, ONNX Runtime refuses and
        // the second attempt allows the fallback and records it.
        try
        {
            using var strict = SessionOptions(canary, disableFallback: true, out var via);
            return (Open(modelPath, strict), via, false);
        }
        catch (OnnxRuntimeException ex) when (ex.Message.Contains("fallback", StringComparison.OrdinalIgnoreCase))
        {
            using var relaxed = SessionOptions(canary, disableFallback: false, out var via);
            return (Open(modelPath, relaxed), via, true);
        }
    }

    private static InferenceSession Open(string modelPath, SessionOptions options)
    {
        try
        {
            return new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException ex) when (ex.Message.Contains("Protobuf parsing failed", StringComparison.OrdinalIgnoreCase)
                                              || ex.Message.Contains("ParseFromString", StringComparison.OrdinalIgnoreCase))
        {
            throw new CanaryInputException(ReasonCodes.ModelInvalid, $"model file is not a valid ONNX model (truncated or not ONNX): {modelPath}", ex);
        }
    }

    private static SessionOptions SessionOptions(CanaryDefinition canary, bool disableFallback, out string? precisionVia)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = canary.GraphOptimization,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = canary.Threads,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            if (disableFallback)
            {
                options.AddSessionConfigEntry("session.disable_cpu_ep_fallback", "1");
            }

            precisionVia = ExecutionProviders.Append(options, canary.Provider, canary.ProviderOptions, canary.Precision);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    private static void BindPreallocatedOutputs(InferenceSession session, OrtIoBinding binding, Dictionary<string, OrtValue> outputs)
    {
        using var produced = binding.GetOutputValues();
        var names = binding.GetOutputNames();
        var shapes = new List<(string Name, TensorElementType Type, long[] Shape)>();
        for (var i = 0; i < names.Length; i++)
        {
            if (!produced[i].IsTensor)
            {
                continue;
            }

            var info = produced[i].GetTensorTypeAndShape();
            shapes.Add((names[i], info.ElementDataType, info.Shape));
        }

        binding.ClearBoundOutputs();
        foreach (var name in session.OutputNames)
        {
            var match = shapes.FirstOrDefault(s => s.Name == name);
            if (match.Shape is null)
            {
                binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
                continue;
            }

            var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, match.Type, match.Shape);
            outputs[name] = value;
            binding.BindOutput(name, value);
        }
    }

    /// <summary>How long past the budget a call may run before it is terminated: a quarter of the budget, at least one second.</summary>
    internal static TimeSpan HardStopGrace(TimeSpan budget) => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, budget.Ticks / 4));

    internal static (CanaryStatus, string?, string?) Judge(LatencyStatistics stats, MeasureOptions measure, int iterations, bool warmupStable, double windowSeconds) =>
        RunValidity.Judge(stats, measure, iterations, warmupStable, windowSeconds);

    private static void CheckFinite(Dictionary<string, OrtValue> outputs)
    {
        foreach (var (name, value) in outputs)
        {
            var values = OutputAsDoubles(value);
            if (values is not null && values.Any(v => !double.IsFinite(v)))
            {
                throw new CanaryInputException(ReasonCodes.NonFiniteOutput, $"output '{name}' contains NaN or infinity");
            }
        }
    }

    private DriftResult? MeasureDrift(CanaryDefinition canary, Dictionary<string, OrtValue> inputs, Dictionary<string, OrtValue> outputs)
    {
        if (!canary.Variants.TryGetValue(Precision.FP32, out var reference) || outputs.Count == 0)
        {
            return null;
        }

        // The reference runs on the CPU provider: FP32 on the CPU is the yardstick.
        using var options = new SessionOptions { GraphOptimizationLevel = canary.GraphOptimization, IntraOpNumThreads = canary.Threads };
        using var session = new InferenceSession(reference, options);
        var first = outputs.First();
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, inputs.Keys.ToArray(), inputs.Values.ToArray(), [first.Key]);
        var expected = OutputAsDoubles(results[0]);
        var actual = OutputAsDoubles(first.Value);
        if (expected is null || actual is null || expected.Length != actual.Length)
        {
            LogDriftSkipped(_logger, canary.Name, reference);
            return null;
        }

        var shape = first.Value.GetTensorTypeAndShape().Shape;
        return Drift.Compare(reference, expected, actual, shape.Length >= 2 ? shape[^1] : 0);
    }

    private static double[]? OutputAsDoubles(OrtValue value)
    {
        if (!value.IsTensor)
        {
            return null;
        }

        return value.GetTensorTypeAndShape().ElementDataType switch
        {
            TensorElementType.Float => Array.ConvertAll(value.GetTensorDataAsSpan<float>().ToArray(), v => (double)v),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Float16 => Array.ConvertAll(value.GetTensorDataAsSpan<Float16>().ToArray(), v => (double)(float)v),
            TensorElementType.BFloat16 => Array.ConvertAll(value.GetTensorDataAsSpan<BFloat16>().ToArray(), v => (double)(float)v),
            _ => null,
        };
    }

    /// <summary>
    /// Energy of every counter over the window, and joules per sample of the counters that belong
    /// to the canary's device: CPU package and DRAM for every canary, plus its own GPU
    /// (<paramref name="device"/> <c>gpu:N</c>) for a GPU canary. A CPU canary on a GPU server does
    /// not pay for the idle GPUs (they stay in the per-counter energy); where none of its counters
    /// is readable its joules per sample is null, never a number from another device.
    /// </summary>
    internal static (IReadOnlyDictionary<string, double>? Energy, double? PerSample) EnergyDelta(IReadOnlyList<Probes.Linux.EnergyCounter>? before, IReadOnlyList<Probes.Linux.EnergyCounter>? after, long samples, string device = "cpu")
    {
        if (before is null || after is null || before.Count == 0)
        {
            return (null, null);
        }

        var energy = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var end in after)
        {
            var start = before.FirstOrDefault(b => b.Domain == end.Domain);
            if (start is not null)
            {
                energy[end.Domain] = end.Joules - start.Joules;
            }
        }

        // Sub-zones (core, uncore) and psys overlap the package counters; package + DRAM (+ the GPU) do not.
        var counted = energy.Where(e => IsAdditive(e.Key) && (!e.Key.StartsWith("gpu:", StringComparison.Ordinal) || e.Key == device)).ToList();
        return (energy, counted.Count > 0 && samples > 0 ? counted.Sum(e => e.Value) / samples : null);
    }

    /// <summary>
    /// The clock window of a canary: its own GPU for a GPU canary (<c>gpu:N</c>); every GPU for a
    /// CPU canary, like the energy counters, so the result shows what the GPUs did meanwhile.
    /// </summary>
    private GpuClockWindow? GpuWindow(CanaryDefinition canary)
    {
        if (_clocks is null)
        {
            return null;
        }

        return canary.Device.StartsWith("gpu:", StringComparison.Ordinal)
            && int.TryParse(canary.Device.AsSpan("gpu:".Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            ? _clocks.StartWindow([index])
            : _clocks.StartWindow();
    }

    private static SortedDictionary<string, T>? GpuMap<T>(IReadOnlyList<GpuClockWindowSummary>? gpus, Func<GpuClockWindowSummary, T?> value)
        where T : class
    {
        var map = new SortedDictionary<string, T>(StringComparer.Ordinal);
        foreach (var gpu in gpus ?? [])
        {
            if (value(gpu) is { } v)
            {
                map["gpu:" + gpu.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)] = v;
            }
        }

        return map.Count > 0 ? map : null;
    }

    private static SortedDictionary<string, double>? GpuMap(IReadOnlyList<GpuClockWindowSummary>? gpus, Func<GpuClockWindowSummary, double?> value)
    {
        var map = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var gpu in gpus ?? [])
        {
            if (value(gpu) is { } v)
            {
                map["gpu:" + gpu.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)] = v;
            }
        }

        return map.Count > 0 ? map : null;
    }

    private static bool IsAdditive(string domain) =>
        domain.StartsWith("cpu:package-", StringComparison.Ordinal)
        || domain.StartsWith("cpu:dram", StringComparison.Ordinal)
        || domain.StartsWith("gpu:", StringComparison.Ordinal);

    internal static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 400 ? line[..400] + "…" : line;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Canary {Canary} batch {Batch}: {Status} ({Reason}), p50 {P50} s")]
    private static partial void LogFinished(ILogger logger, string canary, int batch, CanaryStatus status, string reason, double p50);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Canary {Canary}: model file {Path} does not match its configured SHA-256 (expected {Expected}, found {Actual}); the canary is refused")]
    private static partial void LogIntegrityMismatch(ILogger logger, string canary, string path, string expected, string actual);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Canary {Canary}: outputs do not match the reference {Reference} in type or size; drift not measured")]
    private static partial void LogDriftSkipped(ILogger logger, string canary, string reference);
}
