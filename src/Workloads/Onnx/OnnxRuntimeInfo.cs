using System.Reflection;
using System.Runtime.InteropServices;
using BenchDaemon.Workloads.Cuda;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// The ONNX Runtime native library this process loaded: its version and execution
/// providers. Loading is attempted once; a missing or broken native library is reported as
/// <see cref="Unavailable"/> with the reason instead of failing the daemon.
/// ONNX Runtime lists a provider that is compiled in (the GPU package lists CUDA and TensorRT on
/// every host); <see cref="Providers"/> leaves out a GPU provider whose libraries discovery does
/// not find here (a file search, nothing loaded), and <see cref="ProviderProblems"/> says why.
/// Whether a provider really runs is <see cref="ProviderUsabilityChecker"/>'s question.
/// </summary>
public sealed class OnnxRuntimeInfo
{
    /// <summary>The version label used when the native library cannot be loaded.</summary>
    public const string Unavailable = "unavailable";

    private static readonly Lock s_resolverLock = new();
    private static string? s_libraryPath;
    private static bool s_resolverSet;

    private readonly Lazy<(string Version, IReadOnlyList<string> Providers, string? Error)> _info;
    private readonly Lazy<IReadOnlyDictionary<string, string>> _problems;

    /// <summary>Uses the bundled native library.</summary>
    public OnnxRuntimeInfo()
        : this(Options.Create(new OnnxRuntimeOptions()))
    {
    }

    /// <summary>Uses <see cref="OnnxRuntimeOptions.LibraryPath"/> when set.</summary>
    public OnnxRuntimeInfo(IOptions<OnnxRuntimeOptions> options)
        : this(options, Options.Create(new CudaOptions()))
    {
    }

    /// <summary>Uses <see cref="OnnxRuntimeOptions.LibraryPath"/> when set, and <see cref="CudaOptions.LibraryDirectory"/> in the search for GPU libraries.</summary>
    public OnnxRuntimeInfo(IOptions<OnnxRuntimeOptions> options, IOptions<CudaOptions> cuda)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cuda);
        var path = options.Value.LibraryPath;
        var directory = cuda.Value.LibraryDirectory;
        _info = new(() => Load(string.IsNullOrWhiteSpace(path) ? null : path));
        _problems = new(() => FindProblems(_info.Value.Providers, directory));
    }

    /// <summary>Native library version, for example <c>1.32.0</c>, or <see cref="Unavailable"/>.</summary>
    public string Version => _info.Value.Version;

    /// <summary>
    /// Execution providers the loaded library offers whose native libraries are present here (for
    /// example CPUExecutionProvider; CUDAExecutionProvider where CUDA 13 and cuDNN 9 are found).
    /// </summary>
    public IReadOnlyList<string> Providers => [.. _info.Value.Providers.Where(p => !_problems.Value.ContainsKey(p))];

    /// <summary>Every provider compiled into the loaded library, usable here or not.</summary>
    public IReadOnlyList<string> CompiledProviders => _info.Value.Providers;

    /// <summary>Compiled-in GPU providers left out of <see cref="Providers"/>, with what is missing (<c>libcudnn.so.9 (cuDNN 9) not found; searched: …</c>).</summary>
    public IReadOnlyDictionary<string, string> ProviderProblems => _problems.Value;

    /// <summary>Why the library could not be loaded; null when it was.</summary>
    public string? Error => _info.Value.Error;

    private static Dictionary<string, string> FindProblems(IReadOnlyList<string> compiled, string? cudaDirectory)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var gpu = compiled.Where(p => GpuLibraryCatalogue.For(p).Count > 0).ToList();
        if (gpu.Count == 0)
        {
            return problems;
        }

        var discovery = new GpuLibraryDiscovery(GpuSearchRoots.FromEnvironment(cudaDirectory));
        foreach (var provider in gpu)
        {
            if (discovery.Find(GpuLibraryCatalogue.For(provider)).Problem() is { } problem)
            {
                problems[provider] = problem;
            }
        }

        return problems;
    }

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
    /// process can load only one ONNX Runtime, so this works once and before first use (also
    /// before <see cref="OnnxRuntimeLog.Install"/> creates the environment); false when another
    /// path was routed already.
    /// </summary>
    internal static bool UseLibrary(string path)
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
