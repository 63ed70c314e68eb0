using System.Diagnostics;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Models;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// Finds out, for real, whether the CUDA and TensorRT providers can run here: "available" in
/// ONNX Runtime means compiled in, not usable. For each provider and device it finds and
/// preloads the libraries (<see cref="GpuProviderLibraries"/>), asks the CUDA driver for the
/// device and its CUDA version, then creates a session on that provider alone (<c>session.disable_cpu_ep_fallback</c>) for
/// a tiny model and runs it once. The first step that fails names the cause
/// (<see cref="ProviderFailure"/>). The provider library itself is opened by ONNX Runtime only:
/// its static constructors call back into ONNX Runtime's provider bridge, which ONNX Runtime
/// sets up just before; its load error carries the loader's own message (<c>dlerror()</c>).
/// <see cref="Check"/> loads CUDA and ONNX Runtime: call it in the worker process, never in
/// the daemon. <see cref="Fingerprint"/> loads nothing: the daemon calls it on its own timer and
/// asks the worker for a new check when the hash changes.
/// </summary>
public sealed class ProviderUsabilityChecker
{
    private readonly OnnxRuntimeInfo _runtime;
    private readonly CudaOptions _cuda;
    private readonly OnnxRuntimeOptions _onnxRuntime;
    private readonly TimeProvider _timeProvider;
    private readonly string _procRoot;

    public ProviderUsabilityChecker(OnnxRuntimeInfo runtime, IOptions<CudaOptions> cuda, IOptions<OnnxRuntimeOptions> onnxRuntime, TimeProvider timeProvider)
        : this(runtime, cuda, onnxRuntime, timeProvider, "/proc")
    {
    }

    internal ProviderUsabilityChecker(OnnxRuntimeInfo runtime, IOptions<CudaOptions> cuda, IOptions<OnnxRuntimeOptions> onnxRuntime, TimeProvider timeProvider, string procRoot)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(cuda);
        ArgumentNullException.ThrowIfNull(onnxRuntime);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _runtime = runtime;
        _cuda = cuda.Value;
        _onnxRuntime = onnxRuntime.Value;
        _timeProvider = timeProvider;
        _procRoot = procRoot;
    }

    /// <summary>The environment a check depends on, read without loading any native library (safe in the daemon).</summary>
    public GpuEnvironmentFingerprint Fingerprint() =>
        GpuEnvironmentFingerprint.Capture(new GpuLibraryDiscovery(GpuSearchRoots.FromEnvironment(_cuda.LibraryDirectory)), OnnxRuntimeBuild.ExpectedLibraryPath(_onnxRuntime.LibraryPath), _procRoot);

    /// <summary>CUDA and TensorRT on every GPU the kernel driver lists (device 0 alone when it lists none, to say why).</summary>
    public static IReadOnlyList<ProviderTarget> DefaultTargets(GpuEnvironmentFingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var devices = Enumerable.Range(0, Math.Max(1, fingerprint.DeviceCount));
        return [.. new[] { ExecutionProviders.Cuda, ExecutionProviders.TensorRt }.SelectMany(p => devices.Select(d => new ProviderTarget(p, d)))];
    }

    /// <summary>
    /// Checks each of <paramref name="targets"/> (default: <see cref="DefaultTargets"/>). Loads
    /// CUDA, cuDNN, TensorRT and ONNX Runtime into this process: the worker's call, before its
    /// first GPU canary. Never throws for a provider problem: that is the result.
    /// </summary>
    public ProviderUsabilityReport Check(IReadOnlyList<ProviderTarget>? targets = null)
    {
        // The micro-canaries and the providers share one search and one configured folder.
        var configured = CudaLibraries.Configure(_cuda.LibraryDirectory);
        var discovery = CudaLibraries.Discovery();
        var fingerprint = GpuEnvironmentFingerprint.Capture(discovery, OnnxRuntimeBuild.ExpectedLibraryPath(_onnxRuntime.LibraryPath), _procRoot);
        targets ??= DefaultTargets(fingerprint);
        var results = new List<ProviderUsability>();
        var prepared = new Dictionary<string, GpuLibraryReport>(StringComparer.Ordinal);
        Lazy<DriverState> driver = new(ReadDriver);
        foreach (var target in targets)
        {
            var start = _timeProvider.GetTimestamp();
            var ortName = ExecutionProviders.ToOrtName(target.Provider);
            var failure = configured
                ? CheckOne(ortName, target.Device, driver, prepared)
                : new ProviderFailure(ReasonCodes.LibraryUnavailable, "restart needed", $"{CudaOptions.SectionName}:{nameof(CudaOptions.LibraryDirectory)} changed after this process loaded the CUDA libraries; restart to use '{_cuda.LibraryDirectory}'");
            var seconds = _timeProvider.GetElapsedTime(start).TotalSeconds;
            results.Add(failure is null ? ProviderUsability.UsableOn(ortName, target.Device, seconds) : ProviderUsability.Unusable(ortName, target.Device, failure, seconds));
        }

        return new ProviderUsabilityReport
        {
            Fingerprint = fingerprint,
            Libraries = Merge(discovery.Find(GpuLibraryCatalogue.All), prepared.Values),
            Providers = results,
            OnnxRuntimeVersion = _runtime.Version,
            Flavor = OnnxRuntimeBuild.Flavor,
            CheckedAt = _timeProvider.GetUtcNow(),
        };
    }

    private ProviderFailure? CheckOne(string ortName, int device, Lazy<DriverState> driver, Dictionary<string, GpuLibraryReport> prepared)
    {
        if (_runtime.Error is { } loadError)
        {
            return new(ReasonCodes.RuntimeUnavailable, "ONNX Runtime unavailable", $"ONNX Runtime native library unavailable: {loadError}");
        }

        if (!_runtime.CompiledProviders.Contains(ortName, StringComparer.Ordinal))
        {
            return ProviderFailure.NotInBuild(ortName, _runtime.CompiledProviders);
        }

        if (ortName is not (ExecutionProviders.Cuda or ExecutionProviders.TensorRt))
        {
            return TrySession(ortName, device, new GpuLibraryReport());
        }

        var libraries = GpuProviderLibraries.Prepare(ortName);
        prepared[ortName] = libraries;
        if (ProviderFailure.FromLibraries(libraries) is { } missing)
        {
            return missing;
        }

        var state = driver.Value;
        if (state.Failure is { } driverFailure)
        {
            return driverFailure;
        }

        if (ProviderFailure.FromDriver(state.InitResult, state.InitName, state.Version, state.DeviceCount, device) is { } deviceFailure)
        {
            return deviceFailure;
        }

        return TrySession(ortName, device, libraries);
    }

    private static ProviderFailure? TrySession(string ortName, int device, GpuLibraryReport libraries)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        if (!ExecutionProviders.IsCpu(ortName))
        {
            options.AddSessionConfigEntry("session.disable_cpu_ep_fallback", "1");
        }

        var providerOptions = new Dictionary<string, string>(StringComparer.Ordinal) { ["device_id"] = device.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (ExecutionProviders.TryAppend(options, ortName, providerOptions, Precision.FP32, out _, alone: true) is { } appendFailure)
        {
            return appendFailure;
        }

        try
        {
            using var session = new InferenceSession(TinyModels.Mlp(), options);
            using var input = OrtValue.CreateTensorValueFromMemory(new float[16], [1, 16]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["input"], [input], session.OutputNames);
            return null;
        }
        catch (OnnxRuntimeException ex)
        {
            return ProviderFailure.Explain(ortName, ex.Message, libraries);
        }
    }

    private static DriverState ReadDriver()
    {
        var load = CudaLibraries.LoadDriver();
        if (!load.Ok)
        {
            return new DriverState(new ProviderFailure(ReasonCodes.DriverUnavailable, "no NVIDIA driver (libcuda.so.1 does not load)", $"NVIDIA driver {CudaLibraries.DriverSoname} {load.Error}"), 0, string.Empty, 0, 0);
        }

        try
        {
            var init = CudaDriver.Init(0);
            var version = CudaDriver.DriverGetVersion(out var v) == CudaDriver.Success ? v : 0;
            var count = init == CudaDriver.Success && CudaDriver.DeviceGetCount(out var c) == CudaDriver.Success ? c : 0;
            return new DriverState(null, init, init == CudaDriver.Success ? "CUDA_SUCCESS" : CudaDriver.ErrorName(init), version, count);
        }
        catch (EntryPointNotFoundException ex)
        {
            return new DriverState(new ProviderFailure(ReasonCodes.DriverUnavailable, "NVIDIA driver too old", $"the NVIDIA driver lacks a function BenchDaemon needs: {ex.Message}"), 0, string.Empty, 0, 0);
        }
    }

    /// <summary>The catalogue's libraries as found, with each preloaded one's load outcome.</summary>
    private static GpuLibraryReport Merge(GpuLibraryReport found, IEnumerable<GpuLibraryReport> preloaded)
    {
        var loaded = preloaded.SelectMany(r => r.Libraries).Where(l => l.Loaded || l.LoadError is not null)
            .GroupBy(l => l.Soname, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return found with { Libraries = [.. found.Libraries.Select(l => loaded.TryGetValue(l.Soname, out var outcome) ? outcome : l)] };
    }

    [DebuggerDisplay("{InitName} {Version} {DeviceCount}")]
    private sealed record DriverState(ProviderFailure? Failure, int InitResult, string InitName, int Version, int DeviceCount);
}
