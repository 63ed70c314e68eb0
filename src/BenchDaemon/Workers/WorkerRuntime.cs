using System.Globalization;
using BenchDaemon.Telemetry;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Workers;

/// <summary>
/// The ONNX Runtime the workers load, as a worker described it: asked once (the daemon never
/// loads ONNX Runtime itself) and kept; <see cref="Current"/> reads the kept answer without I/O.
/// </summary>
public sealed partial class WorkerRuntime : IMetricSource, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly WorkerPool? _pool;
    private readonly ILogger _logger;
    private readonly string? _bundledVersion;
    private RuntimeDescription? _description;

    /// <param name="pool">The workers asked for the description.</param>
    /// <param name="options">
    /// Without <c>OnnxRuntime:LibraryPath</c> the workers load the package this build bundles, so its
    /// version stands in <c>benchdaemon_build_info</c> until a worker described the runtime.
    /// </param>
    /// <param name="logger">Logs what the description says.</param>
    public WorkerRuntime(WorkerPool pool, IOptions<OnnxRuntimeOptions> options, ILogger<WorkerRuntime> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _pool = pool;
        _logger = logger;
        _bundledVersion = string.IsNullOrWhiteSpace(options.Value.LibraryPath) && OnnxRuntimeBuild.ExpectedLibraryPath(null) is not null
            ? OnnxRuntimeBuild.PackageVersion
            : null;
    }

    /// <summary>A runtime known in advance (tests of what consumes the description).</summary>
    internal WorkerRuntime(RuntimeDescription known)
    {
        _description = known;
        _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>True once a worker answered (or a failure was kept).</summary>
    public bool Described => Volatile.Read(ref _description) is not null;

    /// <summary>The kept description, or <see cref="RuntimeDescription.Unknown"/> before a worker answered.</summary>
    public RuntimeDescription Current => Volatile.Read(ref _description) ?? RuntimeDescription.Unknown("not described yet");

    /// <summary>Asks a worker the first time, then returns the kept answer; a worker that cannot start gives <see cref="RuntimeDescription.Unknown"/> (asked again next time).</summary>
    public async Task<RuntimeDescription> DescribeAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _description) is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_description is { } raced)
            {
                return raced;
            }

            try
            {
                var description = await _pool!.DescribeAsync(cancellationToken);
                Volatile.Write(ref _description, description);
                if (description.Error is { } error)
                {
                    LogUnavailable(_logger, error);
                }

                foreach (var provider in description.UsabilityOrNone.Providers)
                {
                    if (provider.Usable)
                    {
                        LogUsable(_logger, provider.Provider, provider.Device);
                    }
                    else
                    {
                        LogNotUsable(_logger, provider.Provider, provider.Device, provider.Reason ?? provider.Summary ?? provider.ReasonCode ?? "?");
                    }
                }

                return description;
            }
            catch (WorkerStartException ex)
            {
                LogNoWorker(_logger, ex.Message);
                return RuntimeDescription.Unknown(ex.Message);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes <c>benchdaemon_build_info</c> with the ONNX Runtime the workers load, and whether each GPU
    /// provider is usable per device, and why not (no I/O: the kept description).
    /// </summary>
    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        // Until a worker described its ONNX Runtime (moments after start) the bundled package's
        // version stands for it; a library of the user's own (OnnxRuntime:LibraryPath) is not
        // guessed: the series waits for the worker rather than show a version that would change.
        if (Volatile.Read(ref _description) is { } described)
        {
            writer.Write(TelemetryCatalogue.BuildInfo, 1, BuildInfoSource.Version, described.OnnxRuntimeVersion);
        }
        else if (_bundledVersion is not null)
        {
            writer.Write(TelemetryCatalogue.BuildInfo, 1, BuildInfoSource.Version, _bundledVersion);
        }

        foreach (var provider in Volatile.Read(ref _description)?.UsabilityOrNone.Providers ?? [])
        {
            var device = provider.Device.ToString(CultureInfo.InvariantCulture);
            writer.Write(TelemetryCatalogue.ProviderUsable, provider.Usable ? 1 : 0, provider.Provider, device);
            writer.Write(TelemetryCatalogue.ProviderUsabilityInfo, 1, provider.Provider, device, provider.Usable ? "ok" : provider.ReasonCode ?? "unknown", provider.Usable ? "usable" : provider.Summary ?? string.Empty);
        }
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(EventId = 461, Level = LogLevel.Information, Message = "{Provider} on GPU {Device}: usable")]
    private static partial void LogUsable(ILogger logger, string provider, int device);

    [LoggerMessage(EventId = 462, Level = LogLevel.Information, Message = "{Provider} on GPU {Device}: not usable: {Reason}; its canaries are skipped with this reason")]
    private static partial void LogNotUsable(ILogger logger, string provider, int device, string reason);

    [LoggerMessage(EventId = 458, Level = LogLevel.Error, Message = "ONNX Runtime cannot be loaded in the workers: {Error}; ONNX canaries fail with runtime_unavailable")]
    private static partial void LogUnavailable(ILogger logger, string error);

    [LoggerMessage(EventId = 459, Level = LogLevel.Error, Message = "No worker could describe its ONNX Runtime: {Error}; the defaults assume the CPU provider alone")]
    private static partial void LogNoWorker(ILogger logger, string error);
}
