using System.Collections.Concurrent;
using System.Diagnostics;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Zoo;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// The ONNX Runtime engine: resolves the model file (a built-in model from the zoo's cache, a
/// precision variant), checks it, creates the session on the requested provider (recording a CPU
/// fallback), binds generated or given inputs and pre-allocated outputs, runs the shared measured
/// window, checks the outputs and measures drift against the FP32 reference. ONNX Runtime's
/// errors become results through <see cref="OnnxRuntimeErrors"/>; native resources are released
/// on every path.
/// </summary>
public sealed partial class OnnxRuntimeEngine : ICanaryEngine
{
    private static readonly ActivitySource s_activities = new(CanaryRunner.ActivitySourceName);

    private readonly OnnxRuntimeInfo _runtime;
    private readonly ModelZoo? _zoo;
    private readonly MeasuredWindow _window;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<ProviderUsabilityReport>? _usability;
    private readonly string? _stateDirectory;
    private readonly ConcurrentDictionary<string, ((long Length, DateTime Modified) Stamp, string Digest)> _digests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Canary, string Path), string> _mismatchesLogged = new();
    private readonly ConcurrentDictionary<(string Canary, int Batch), byte> _comparisonSkipLogged = new();

    /// <summary>An engine over <paramref name="runtime"/>; built-in models come from <paramref name="zoo"/> (none without it).</summary>
    /// <param name="runtime">The ONNX Runtime of this process.</param>
    /// <param name="window">The shared measured window.</param>
    /// <param name="timeProvider">The budget's timer.</param>
    /// <param name="logger">Integrity and drift messages.</param>
    /// <param name="zoo">Where built-in models come from.</param>
    /// <param name="usability">Whether each GPU provider runs here.</param>
    /// <param name="stateDirectory">Where TensorRT's engine and timing caches go (<c>trt-cache/</c>); none without it.</param>
    public OnnxRuntimeEngine(OnnxRuntimeInfo runtime, MeasuredWindow window, TimeProvider timeProvider, ILogger logger, ModelZoo? zoo = null, Func<ProviderUsabilityReport>? usability = null, string? stateDirectory = null)
    {
        _usability = usability;
        _stateDirectory = stateDirectory;
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(window);
        _runtime = runtime;
        _window = window;
        _timeProvider = timeProvider;
        _logger = logger;
        _zoo = zoo;
    }

    /// <inheritdoc />
    public bool CanRun(CanaryDefinition canary)
    {
        ArgumentNullException.ThrowIfNull(canary);
        return canary.ModelRef.Kind != ModelKind.Cuda;
    }

    /// <inheritdoc />
    public CanaryResult Run(CanaryDefinition canary, int batch, CanaryResult result, Action<CanaryPhase> phase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(phase);
        try
        {
            return Execute(canary, batch, result, phase, cancellationToken);
        }
        catch (OnnxRuntimeException ex)
        {
            var (code, reason) = OnnxRuntimeErrors.Classify(ex);
            return result with { Status = CanaryStatus.Failed, Reason = reason, ReasonCode = code };
        }
    }

    private CanaryResult Execute(CanaryDefinition canary, int batch, CanaryResult result, Action<CanaryPhase> phase, CancellationToken cancellationToken)
    {
        var ortProvider = ExecutionProviders.ToOrtName(canary.Provider);
        if (_runtime.Error is { } loadError)
        {
            return result with { Status = CanaryStatus.Failed, Reason = $"ONNX Runtime native library unavailable: {loadError}", ReasonCode = ReasonCodes.RuntimeUnavailable };
        }

        if (!_runtime.CompiledProviders.Contains(ortProvider, StringComparer.Ordinal))
        {
            return result with
            {
                Status = CanaryStatus.Skipped,
                Reason = $"provider unavailable: {ortProvider} is not in this ONNX Runtime build (available: {string.Join(", ", _runtime.CompiledProviders)})",
                ReasonCode = ReasonCodes.ProviderUnavailable,
            };
        }

        // Compiled in is not usable: a GPU provider that did not run its tiny session here is
        // skipped with what is missing (a library, the driver, the device).
        if (ExecutionProviders.IsGpu(canary.Provider) && canary.Device.GpuIndex is { } device)
        {
            if (_usability?.Invoke().Find(ortProvider, device) is { Usable: false } unusable)
            {
                return result with { Status = CanaryStatus.Skipped, Reason = unusable.Reason ?? unusable.Summary, ReasonCode = unusable.ReasonCode ?? ReasonCodes.ProviderUnavailable };
            }

            if (_usability is null && _runtime.ProviderProblems.TryGetValue(ortProvider, out var problem))
            {
                return result with { Status = CanaryStatus.Skipped, Reason = $"provider unavailable: {problem}", ReasonCode = ReasonCodes.LibraryUnavailable };
            }
        }

        // A built-in model becomes an ordinary canary: files per precision from the zoo's cache
        // (generated on first use) and the model's own dimensions under the user's Inputs.
        if (canary.ModelRef.Kind == ModelKind.Builtin)
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
            (session, providerPrecision, fallback) = CreateSession(canary, modelPath, TensorRt(canary, modelPath));
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

        // Inputs: a test data set's (its expected outputs checked after the run), else .npy files
        // and generated data.
        var testData = canary.TestData is { } dataDirectory ? TestDataSet.Load(dataDirectory, session) : null;
        Dictionary<string, OrtValue> inputs;
        ImageStage? stage = null;
        var compare = false;
        if (testData is not null)
        {
            (inputs, compare) = TestInputs(testData, session.InputMetadata, batch);
            if (!compare && testData.Outputs.Count > 0 && _comparisonSkipLogged.TryAdd((canary.Name, batch), 0))
            {
                LogComparisonSkipped(_logger, canary.Name, batch, testData.Directory);
            }
        }
        else
        {
            var files = canary.InputFiles.ToDictionary(f => f.Key, f => NpyArray.Read(f.Value), StringComparer.Ordinal);
            var shapes = InputGenerator.Shapes(session.InputMetadata, batch, canary.Inputs, files);
            inputs = InputGenerator.Create(session.InputMetadata, shapes, canary.Inputs, canary.Seed, files, IndexHints(canary, modelPath, shapes));
            stage = canary.ImageInput is { } sizeClass ? ImageStage.Create(session.InputMetadata, inputs, shapes, sizeClass) : null;
        }

        var outputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        var optionalOutputs = session.OutputMetadata.Where(o => o.Value.OnnxValueType == OnnxValueType.ONNX_TYPE_OPTIONAL).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);

        // A sequence or map output bound once would be reused by every call, and ONNX Runtime's
        // sequence operators append to the sequence they are given (measured with 1.32.0: 5 182
        // tensors after one measured window instead of 2): such outputs are bound afresh before
        // each call, outside the timed part.
        var rebindOutputs = session.OutputMetadata.Values.Any(o => !o.IsTensor);

        // A GPU provider's inputs and outputs live in the GPU's memory (IOBinding with device
        // tensors), so the loop times inference; end to end (or with an image stage, whose
        // preprocessing writes host memory) they are copied every call and the stages timed apart.
        var gpu = ExecutionProviders.IsGpu(canary.Provider) ? canary.Device.GpuIndex : null;
        var gpuIo = gpu is null ? (GpuIo?)null : stage is not null ? GpuIo.EndToEnd : canary.GpuIo;
        DeviceIo? deviceIo = null;
        try
        {
            using var runOptions = new RunOptions();
            using var binding = session.CreateIoBinding();
            if (gpu is { } index)
            {
                deviceIo = DeviceIo.Create(session, binding, index, inputs);
            }
            else
            {
                foreach (var (name, value) in inputs)
                {
                    binding.BindInput(name, value);
                }

                BindOutputs(session, binding);
            }

            void BindOutputs(InferenceSession session, OrtIoBinding binding)
            {
                if (deviceIo is not null)
                {
                    deviceIo.BindOutputs(session, binding);
                    return;
                }

                foreach (var name in session.OutputNames)
                {
                    binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
                }
            }

            // The budget covers warm-up and measurement: no call starts that would end past it.
            // A call that hangs anyway is terminated by ONNX Runtime's run-level flag once the
            // budget plus a grace period has passed (the grace keeps a call that merely ran a
            // little long from being mistaken for a hang).
            var budget = canary.Measure.Budget;
            using var budgetTimer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(budgetTimer.Token, cancellationToken);
            using var terminate = linked.Token.Register(() => runOptions.Terminate = true);
            long runStart = 0;
            void StartBudget()
            {
                phase(CanaryPhase.Measuring);
                runStart = Stopwatch.GetTimestamp();
                budgetTimer.CancelAfter(budget + CanaryRunner.HardStopGrace(budget));
            }

            // On the CPU the first call is the first warm-up call, inside the budget. On a GPU it
            // is set-up — TensorRT builds its engine there on a cache miss, CUDA graphs are
            // captured — timed apart and outside the budget (the session's time limit applies).
            if (gpu is null)
            {
                StartBudget();
            }

            try
            {
                // First call: let ONNX Runtime allocate outputs, then pre-allocate and bind them —
                // unless an output is not a tensor (bound afresh each call, above). An empty
                // optional cannot even be read through ONNX Runtime's managed API (wrapping it
                // crashes the process), so optional outputs are never read from the binding.
                var firstStart = Stopwatch.GetTimestamp();
                session.RunWithBinding(runOptions, binding);
                if (deviceIo is not null)
                {
                    binding.SynchronizeBoundOutputs();
                    if (!rebindOutputs)
                    {
                        deviceIo.BindPreallocatedOutputs(session, binding);
                    }
                }
                else if (!rebindOutputs)
                {
                    BindPreallocatedOutputs(session, binding, outputs);
                }

                var firstRunSeconds = Stopwatch.GetElapsedTime(firstStart).TotalSeconds;
                if (gpu is not null)
                {
                    StartBudget();
                }

                double Call()
                {
                    if (rebindOutputs)
                    {
                        binding.ClearBoundOutputs();
                        BindOutputs(session, binding);
                    }

                    var t0 = Stopwatch.GetTimestamp();
                    session.RunWithBinding(runOptions, binding);
                    if (deviceIo is not null)
                    {
                        // The GPU's completion is inside the timed call.
                        binding.SynchronizeBoundOutputs();
                    }

                    // Raw ticks: going through TimeSpan would truncate every sample to 100 ns.
                    return (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
                }

                double StagedCall()
                {
                    stage?.Run();
                    return gpuIo == GpuIo.EndToEnd ? deviceIo!.EndToEndCall(() => Call()) : Call();
                }

                // On the CPU the output-shape call above counts as the first warm-up iteration.
                var window = _window.Measure(
                    canary,
                    gpuIo == GpuIo.EndToEnd ? StagedCall : Call,
                    StagedCall,
                    runStart,
                    gpu is null ? 1 : 0,
                    linked.Token,
                    onMeasureStart: () => deviceIo?.ResetStages());

                phase(CanaryPhase.Checking);
                if (deviceIo is not null)
                {
                    deviceIo.CopyOutputsToHost();
                    outputs = deviceIo.HostOutputs;
                }

                // With optional outputs, the others are read from one more call that asks for them alone.
                using var fetched = optionalOutputs.Count > 0 ? FetchedOutputs.Run(session, runOptions, inputs, optionalOutputs) : null;
                var hostOutputs = fetched?.Tensors ?? outputs;

                // Expected outputs are the stronger check (NaN where NaN is expected is right);
                // without them, a NaN or infinity is wrong on its face.
                var outputsChecked = 0;
                if (compare && testData!.Outputs.Count > 0)
                {
                    var expected = testData.Outputs.Where(e => !optionalOutputs.Contains(e.Key)).ToDictionary(StringComparer.Ordinal);
                    if (expected.Count < testData.Outputs.Count && _comparisonSkipLogged.TryAdd((canary.Name, -1), 0) && _logger.IsEnabled(LogLevel.Information))
                    {
                        var names = string.Join(", ", optionalOutputs);
                        LogOptionalNotCompared(_logger, canary.Name, names);
                    }

                    var tolerance = canary.Tolerance ?? Tolerance.Default(canary.Precision, canary.Provider);
                    var actual = fetched?.All ?? ActualOutputs(binding, outputs);
                    if (OutputComparison.Compare(expected, actual, tolerance.Absolute, tolerance.Relative, Path.GetFileName(testData.Directory)) is { } wrong)
                    {
                        throw new CanaryInputException(ReasonCodes.WrongResult, wrong);
                    }

                    outputsChecked = expected.Count;
                }
                else
                {
                    CheckFinite(hostOutputs);
                }

                DriftResult? drift = null;
                if (canary.Precision != Precision.FP32)
                {
                    using (s_activities.StartActivity("drift"))
                    {
                        drift = MeasureDrift(canary, inputs, hostOutputs);
                    }
                }

                var stages = stage?.MeanSeconds(window.Samples);
                if (gpuIo == GpuIo.EndToEnd)
                {
                    stages ??= new Dictionary<string, double>(StringComparer.Ordinal);
                    stages["host_to_device"] = deviceIo!.HostToDeviceSeconds;
                    stages["inference"] = deviceIo.InferenceSeconds;
                    stages["device_to_host"] = deviceIo.DeviceToHostSeconds;
                }

                return window.ApplyTo(result, batch, canary.Device) with
                {
                    Drift = drift,
                    TestData = testData?.Directory,
                    OutputsChecked = testData is null ? null : outputsChecked,
                    StageSeconds = stages,
                    PreprocessShare = stage?.Share(window.Samples),
                    FirstRunSeconds = firstRunSeconds,
                    GpuIo = gpuIo,
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
            // Device-resident outputs (and their host copies) belong to the deviceIo I/O.
            foreach (var value in deviceIo is null ? inputs.Values.Concat(outputs.Values) : inputs.Values)
            {
                value.Dispose();
            }

            deviceIo?.Dispose();
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

    // TensorRT's engine and timing caches live under the state directory, one folder per
    // environment fingerprint; its optimisation profile covers the canary's batch sizes.
    private TensorRtSettings? TensorRt(CanaryDefinition canary, string modelPath)
    {
        if (ExecutionProviders.ToOrtName(canary.Provider) != ExecutionProviders.TensorRt)
        {
            return null;
        }

        var cache = _stateDirectory is null || _usability is null ? null : TensorRtSettings.CacheFolder(_stateDirectory, _usability().Fingerprint);
        IReadOnlyList<ModelInput> inputs;
        try
        {
            inputs = OnnxModelInputs.Read(modelPath);
        }
        catch (InvalidDataException ex)
        {
            throw new CanaryInputException(ReasonCodes.ModelInvalid, $"model file is not a valid ONNX model: {modelPath}: {ex.Message}", ex);
        }

        return new TensorRtSettings(cache, TensorRtProfile.For(inputs, canary.BatchSizes, canary.Inputs));
    }

    private static (InferenceSession Session, string? PrecisionVia, bool Fallback) CreateSession(CanaryDefinition canary, string modelPath, TensorRtSettings? tensorRt)
    {
        if (ExecutionProviders.IsCpu(canary.Provider))
        {
            using var options = SessionOptions(canary, disableFallback: false, tensorRt, out var via);
            return (Open(modelPath, options), via, false);
        }

        // Ask for the provider alone first; if some nodes need CPU, ONNX Runtime refuses and
        // the second attempt allows the fallback and records it.
        try
        {
            using var strict = SessionOptions(canary, disableFallback: true, tensorRt, out var via);
            return (Open(modelPath, strict), via, false);
        }
        catch (OnnxRuntimeException ex) when (OnnxRuntimeErrors.RefusedCpuFallback(ex))
        {
            using var relaxed = SessionOptions(canary, disableFallback: false, tensorRt, out var via);
            return (Open(modelPath, relaxed), via, true);
        }
    }

    private static InferenceSession Open(string modelPath, SessionOptions options)
    {
        try
        {
            return new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException ex) when (OnnxRuntimeErrors.IsNotAModel(ex))
        {
            throw new CanaryInputException(ReasonCodes.ModelInvalid, $"model file is not a valid ONNX model (truncated or not ONNX): {modelPath}", ex);
        }
        catch (OnnxRuntimeException ex) when (OnnxRuntimeErrors.IsModelRejected(ex) && !OnnxRuntimeErrors.RefusedCpuFallback(ex))
        {
            throw new CanaryInputException(ReasonCodes.ModelInvalid, $"ONNX Runtime cannot load the model: {OnnxRuntimeErrors.FirstLine(ex.Message)}", ex);
        }
    }

    private static SessionOptions SessionOptions(CanaryDefinition canary, bool disableFallback, TensorRtSettings? tensorRt, out string? precisionVia)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = canary.GraphOptimization,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = canary.Threads,
            // ONNX Runtime's lines of this session go to the log under the canary's name, at the
            // level the log asks for (OnnxRuntimeLog: warnings by default).
            LogId = canary.Name,
            LogSeverityLevel = OnnxRuntimeLog.SessionSeverity,
        };
        try
        {
            if (disableFallback)
            {
                options.AddSessionConfigEntry("session.disable_cpu_ep_fallback", "1");
            }

            foreach (var library in canary.CustomOpLibraries ?? [])
            {
                if (!File.Exists(library))
                {
                    throw new CanaryInputException(ReasonCodes.ModelInvalid, $"custom operator library not found: {library}");
                }

                options.RegisterCustomOpLibrary(library);
            }

            // A provider that cannot be appended says why (a library, the driver), not only
            // ONNX Runtime's "Failed to load shared library".
            if (ExecutionProviders.TryAppend(options, canary.Provider, canary.ProviderOptions, canary.Precision, out precisionVia, tensorRt) is { } failure)
            {
                throw new CanaryInputException(failure.Code, failure.Reason);
            }

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

            // Element types the managed API cannot allocate (float8, 4-bit) stay ONNX Runtime's.
            var info = produced[i].GetTensorTypeAndShape();
            if (OnnxData.ElementSize(info.ElementDataType) is not null)
            {
                shapes.Add((names[i], info.ElementDataType, info.Shape));
            }
        }

        binding.ClearBoundOutputs();
        foreach (var name in session.OutputNames)
        {
            // An output that is also an input is the input itself: ONNX Runtime does not write
            // it into a buffer of ours (measured: the buffer kept its garbage).
            var match = shapes.FirstOrDefault(s => s.Name == name);
            if (match.Shape is null || session.InputMetadata.ContainsKey(name))
            {
                binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
                continue;
            }

            var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, match.Type, match.Shape);
            outputs[name] = value;
            binding.BindOutput(name, value);
        }
    }

    // What the graph does with each input, so generated indices, shapes and divisors are valid.
    // A graph that cannot be read for it (it loaded, so this is rare) gets plain generated data.
    private Dictionary<string, InputHint>? IndexHints(CanaryDefinition canary, string modelPath, IReadOnlyDictionary<string, long[]> shapes)
    {
        try
        {
            return InputHints.For(modelPath, shapes);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or Google.Protobuf.InvalidProtocolBufferException)
        {
            LogHintsUnavailable(_logger, canary.Name, modelPath, ex.Message);
            return null;
        }
    }

    // A test data set's inputs; a set of batch 1 is repeated to a larger batch, and then its
    // expected outputs (those of batch 1) are not compared.
    private static (Dictionary<string, OrtValue> Inputs, bool Comparable) TestInputs(TestDataSet data, IReadOnlyDictionary<string, NodeMetadata> declared, int batch)
    {
        static bool Batched(NodeMetadata meta, OnnxData value) =>
            meta.IsTensor && meta.Dimensions is [< 0, ..] && value is TensorData { Shape.Length: > 0 };

        // A value that cannot be the input is said here, naming both, not by ONNX Runtime mid-run.
        foreach (var (name, value) in data.Inputs)
        {
            var meta = declared[name];
            if (value is TensorData tensor && meta.IsTensor)
            {
                var rank = meta.Dimensions.Length;
                if (tensor.Type != meta.ElementDataType)
                {
                    throw new CanaryInputException($"test data {data.Directory}: input '{name}' holds {tensor.Describe()} but the model's input is a tensor of {meta.ElementDataType}");
                }

                if (rank > 0 && tensor.Shape.Length != rank)
                {
                    throw new CanaryInputException($"test data {data.Directory}: input '{name}' holds {tensor.Describe()} but the model's input has rank {rank}");
                }

                for (var d = 0; d < rank; d++)
                {
                    if (meta.Dimensions[d] >= 0 && meta.Dimensions[d] != tensor.Shape[d])
                    {
                        throw new CanaryInputException($"test data {data.Directory}: input '{name}' holds {tensor.Describe()} but the model's input has size {meta.Dimensions[d]} in dimension {d}");
                    }
                }
            }
            else if (value is TensorData && !meta.IsTensor && meta.OnnxValueType != OnnxValueType.ONNX_TYPE_OPTIONAL)
            {
                throw new CanaryInputException($"test data {data.Directory}: input '{name}' holds a tensor but the model's input is a {meta.OnnxValueType}");
            }
        }

        var batches = data.Inputs.Where(i => Batched(declared[i.Key], i.Value)).Select(i => ((TensorData)i.Value).Shape[0]).Distinct().ToList();
        var dataBatch = batches.Count == 1 ? batches[0] : (long?)null;
        if (batches.Count > 1)
        {
            throw new CanaryInputException($"test data {data.Directory}: the inputs disagree on the batch ({string.Join(", ", batches)})");
        }

        var repeat = dataBatch is { } b && b != batch;
        if (repeat && dataBatch != 1)
        {
            throw new CanaryInputException($"test data {data.Directory} has batch {dataBatch}; batch {batch} cannot be built from it (a set of batch 1 is repeated; leave BatchSizes unset to run at the data's batch)");
        }

        var values = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, value) in data.Inputs)
            {
                var fed = repeat && Batched(declared[name], value) ? ((TensorData)value).Repeat(batch).CreateTensor() : value.ToOrtValue();
                if (fed is not null)
                {
                    values[name] = fed;
                }
            }

            return (values, !repeat);
        }
        catch
        {
            foreach (var value in values.Values)
            {
                value.Dispose();
            }

            throw;
        }
    }

    // The outputs that are not optional, from one call that asks for them alone (ONNX Runtime
    // allocates them on the host); nothing when every output is optional.
    private sealed class FetchedOutputs : IDisposable
    {
        private readonly IDisposableReadOnlyCollection<OrtValue>? _values;

        private FetchedOutputs(IDisposableReadOnlyCollection<OrtValue>? values, string[] names)
        {
            _values = values;
            var i = 0;
            foreach (var value in values ?? (IEnumerable<OrtValue>)[])
            {
                var name = names[i++];
                All[name] = OnnxData.FromOrtValue(value);
                if (value.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR)
                {
                    Tensors[name] = value;
                }
            }
        }

        public Dictionary<string, OrtValue> Tensors { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, OnnxData> All { get; } = new(StringComparer.Ordinal);

        public static FetchedOutputs Run(InferenceSession session, RunOptions runOptions, Dictionary<string, OrtValue> inputs, HashSet<string> optional)
        {
            var names = session.OutputNames.Where(n => !optional.Contains(n)).ToArray();
            var values = names.Length == 0 ? null : session.Run(runOptions, [.. inputs.Keys], [.. inputs.Values], names);
            try
            {
                return new FetchedOutputs(values, names);
            }
            catch
            {
                values?.Dispose();
                throw;
            }
        }

        public void Dispose() => _values?.Dispose();
    }

    // Every output of the last call in managed memory: the host tensors, and what ONNX Runtime
    // allocated itself (sequences, maps, optionals).
    private static Dictionary<string, OnnxData> ActualOutputs(OrtIoBinding binding, Dictionary<string, OrtValue> hostTensors)
    {
        var actual = new Dictionary<string, OnnxData>(StringComparer.Ordinal);
        foreach (var (name, value) in hostTensors)
        {
            actual[name] = OnnxData.FromOrtValue(value);
        }

        using var produced = binding.GetOutputValues();
        var names = binding.GetOutputNames();
        var i = 0;
        foreach (var value in produced)
        {
            // What ONNX Runtime allocated itself: sequences, maps, and tensors in host memory
            // (an output that is an input); a tensor left in a GPU's memory is not read here.
            var name = names[i++];
            if (!actual.ContainsKey(name) && (value.OnnxType != OnnxValueType.ONNX_TYPE_TENSOR || value.GetTensorMemoryInfo().GetDeviceType() == OrtMemoryInfoDeviceType.CPU))
            {
                actual[name] = OnnxData.FromOrtValue(value);
            }
        }

        return actual;
    }

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
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = canary.GraphOptimization,
            IntraOpNumThreads = canary.Threads,
            LogId = canary.Name,
            LogSeverityLevel = OnnxRuntimeLog.SessionSeverity,
        };
        foreach (var library in canary.CustomOpLibraries ?? [])
        {
            options.RegisterCustomOpLibrary(library);
        }

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



    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Canary {Canary}: model file {Path} does not match its configured SHA-256 (expected {Expected}, found {Actual}); the canary is refused")]
    private static partial void LogIntegrityMismatch(ILogger logger, string canary, string path, string expected, string actual);

    [LoggerMessage(EventId = 307, Level = LogLevel.Information, Message = "Canary {Canary}: batch {Batch} repeats the batch-1 test data of {Directory}, so its expected outputs are not compared at this batch")]
    private static partial void LogComparisonSkipped(ILogger logger, string canary, int batch, string directory);

    [LoggerMessage(EventId = 308, Level = LogLevel.Debug, Message = "Canary {Canary}: the graph of {Path} could not be read for what its inputs index ({Error}); inputs are generated without it")]
    private static partial void LogHintsUnavailable(ILogger logger, string canary, string path, string error);

    [LoggerMessage(EventId = 309, Level = LogLevel.Information, Message = "Canary {Canary}: the optional outputs {Outputs} are not compared with the test data (ONNX Runtime's managed API cannot read an empty optional); the other outputs are")]
    private static partial void LogOptionalNotCompared(ILogger logger, string canary, string outputs);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Canary {Canary}: outputs do not match the reference {Reference} in type or size; drift not measured")]
    private static partial void LogDriftSkipped(ILogger logger, string canary, string reference);
}
