using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
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

    private static readonly Lock s_resolverLock = new();
    private static string? s_libraryPath;
    private static bool s_resolverSet;

    private readonly Lazy<(string Version, IReadOnlyList<string> Providers, string? Error)> _info;

    /// <summary>Uses the bundled native library.</summary>
    public OnnxRuntimeInfo()
        : this(Options.Create(new OnnxRuntimeOptions()))
    {
    }

    /// <summary>Uses <see cref="OnnxRuntimeOptions.LibraryPath"/> when set.</summary>
    public OnnxRuntimeInfo(IOptions<OnnxRuntimeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.Value.LibraryPath;
        _info = new(() => Load(string.IsNullOrWhiteSpace(path) ? null : path));
    }

    /// <summary>Native library version, for example <c>1.31.1</c>, or <see cref="Unavailable"/>.</summary>
    public string Version => _info.Value.Version;

    /// <summary>Execution providers the loaded library offers (for example CPUExecutionProvider).</summary>
    public IReadOnlyList<string> Providers => _info.Value.Providers;

    /// <summary>Why the library could not be loaded; null when it was.</summary>
    public string? Error => _info.Value.Error;

    private static (string, IReadOnlyList<string>, string?) Load(string? libraryPath)
    {
        if (libraryPath is not null && !UseLibrary(libraryPath))
        {
            return (Unavailable, [], $"ONNX Runtime was already loaded from another library before {libraryPath} could be used");
        }

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

    /// <summary>
    /// Routes the managed API's imports of <c>onnxruntime</c> to <paramref name="path"/>. A
    /// process can load only one ONNX Runtime, so this works once and before first use.
    /// </summary>
    private static bool UseLibrary(string path)
    {
        lock (s_resolverLock)
        {
            if (s_resolverSet)
            {
                return string.Equals(s_libraryPath, path, StringComparison.Ordinal);
            }

            NativeLibrary.SetDllImportResolver(typeof(OrtEnv).Assembly, Resolve);
            s_libraryPath = path;
            s_resolverSet = true;
            return true;
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        s_libraryPath is not null && libraryName is "onnxruntime" or "libonnxruntime" or "libonnxruntime.so"
            ? NativeLibrary.Load(s_libraryPath)
            : IntPtr.Zero;
}
