using System.Reflection;
using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Telemetry;

/// <summary>Writes <c>benchdaemon_build_info</c>.</summary>
public sealed class BuildInfoSource : IMetricSource
{
    private readonly string _version;
    private readonly string _onnxRuntimeVersion;

    public BuildInfoSource(OnnxRuntimeInfo onnxRuntime)
    {
        ArgumentNullException.ThrowIfNull(onnxRuntime);
        _version = Version;
        _onnxRuntimeVersion = onnxRuntime.Version;
    }

    /// <summary>The informational version of the executable, without the source-revision suffix.</summary>
    public static string Version { get; } = ReadVersion();

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(TelemetryCatalogue.BuildInfo, 1, _version, _onnxRuntimeVersion);
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
