using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// The ONNX Runtime native library this process loaded: its version and execution
/// providers. Loading is attempted once; a missing or broken native library is reported as
/// <see cref="Unavailable"/> with the reason instead of failing the daemon.
/// </summary>
public sealed class OnnxRuntimeInfo
{
    /// <summary>The version label used when the native library cannot be loaded.</summary>
    public const string Unavailable = "unavailable";

    private readonly Lazy<(string Version, IReadOnlyList<string> Providers, string? Error)> _info = new(Load);

    /// <summary>Native library version, for example <c>1.31.1</c>, or <see cref="Unavailable"/>.</summary>
    public string Version => _info.Value.Version;

    /// <summary>Execution providers the loaded library offers (for example CPUExecutionProvider).</summary>
    public IReadOnlyList<string> Providers => _info.Value.Providers;

    /// <summary>Why the library could not be loaded; null when it was.</summary>
    public string? Error => _info.Value.Error;

    private static (string, IReadOnlyList<string>, string?) Load()
    {
        try
        {
            var env = OrtEnv.Instance();
            return (env.GetVersionString(), env.GetAvailableProviders(), null);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or BadImageFormatException or OnnxRuntimeException)
        {
            return (Unavailable, [], ex.GetBaseException().Message);
        }
    }
}
