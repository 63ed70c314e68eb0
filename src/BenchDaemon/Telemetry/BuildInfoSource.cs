using System.Reflection;

namespace BenchDaemon.Telemetry;

/// <summary>
/// The build's <see cref="Version"/>, and <c>benchdaemon_model_info</c> (the built-in models it
/// ships). <c>benchdaemon_build_info</c>, which names the ONNX Runtime the workers load, is written
/// by <c>Workers.WorkerRuntime</c>, which knows it.
/// </summary>
public sealed class BuildInfoSource : IMetricSource
{
    /// <summary>The informational version of the executable, without the source-revision suffix.</summary>
    public static string Version { get; } = ReadVersion();

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
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
