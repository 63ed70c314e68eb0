using System.Reflection;
using BenchDaemon.Workers;

namespace BenchDaemon.Telemetry;

/// <summary>Writes <c>benchdaemon_build_info</c>.</summary>
public sealed class BuildInfoSource : IMetricSource
{
    private readonly WorkerRuntime _runtime;

    /// <summary>Reports the ONNX Runtime version the workers described (the daemon itself never loads it).</summary>
    public BuildInfoSource(WorkerRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
    }

    /// <summary>The informational version of the executable, without the source-revision suffix.</summary>
    public static string Version { get; } = ReadVersion();

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        // Until a worker described its ONNX Runtime (moments after start) the series is absent
        // rather than a placeholder version that would look like a change.
        if (_runtime.Described)
        {
            writer.Write(TelemetryCatalogue.BuildInfo, 1, Version, _runtime.Current.OnnxRuntimeVersion);
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
