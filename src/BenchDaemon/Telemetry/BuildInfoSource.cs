using System.Reflection;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Telemetry;

/// <summary>Writes <c>benchdaemon_build_info</c>.</summary>
public sealed class BuildInfoSource : IMetricSource
{
    private readonly WorkerRuntime _runtime;
    private readonly string? _bundledVersion;

    /// <summary>
    /// Reports the ONNX Runtime version the workers described (the daemon itself never loads it);
    /// until a worker has, the version of the package this build bundles when the workers will
    /// load that one (no <c>OnnxRuntime:LibraryPath</c>), so the series is there from the first scrape.
    /// </summary>
    public BuildInfoSource(WorkerRuntime runtime, IOptions<OnnxRuntimeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(options);
        _runtime = runtime;
        _bundledVersion = string.IsNullOrWhiteSpace(options.Value.LibraryPath) && OnnxRuntimeBuild.ExpectedLibraryPath(null) is not null
            ? OnnxRuntimeBuild.PackageVersion
            : null;
    }

    /// <summary>The informational version of the executable, without the source-revision suffix.</summary>
    public static string Version { get; } = ReadVersion();

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        // Until a worker described its ONNX Runtime (moments after start) the bundled package's
        // version stands for it; a library of the user's own (OnnxRuntime:LibraryPath) is not
        // guessed: the series waits for the worker rather than show a version that would change.
        if (_runtime.Described)
        {
            writer.Write(TelemetryCatalogue.BuildInfo, 1, Version, _runtime.Current.OnnxRuntimeVersion);
        }
        else if (_bundledVersion is not null)
        {
            writer.Write(TelemetryCatalogue.BuildInfo, 1, Version, _bundledVersion);
        }

        foreach (var model in Workloads.Models.Zoo.ModelZoo.Models)
        {
            writer.Write(
                TelemetryCatalogue.ModelInfo,
                1,
                model.Name,
                model.Family,
                model.Parameters.ToString(System.Globalization.CultureInfo.InvariantCulture),
                model.MacsPerSample.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string ReadVersion()
    {
        var informational = typeof(BuildInfoSource).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
