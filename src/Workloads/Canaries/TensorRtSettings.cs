using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// What BenchDaemon, not the user, decides for a TensorRT session: where engines and timing
/// caches live, and the optimisation profile covering the canary's batch sizes.
/// </summary>
/// <param name="CacheDirectory">Folder of engine and timing caches; null: no caches.</param>
/// <param name="Profile">The profile for the dynamic inputs; null when none is dynamic.</param>
public sealed record TensorRtSettings(string? CacheDirectory, TensorRtProfile? Profile)
{
    /// <summary>Name of the cache folder under the state directory.</summary>
    public const string CacheFolderName = "trt-cache";

    /// <summary>
    /// <c>{stateDirectory}/trt-cache/{first 16 hex digits of the environment fingerprint}</c>: an
    /// engine is valid only for the ONNX Runtime, TensorRT, driver and GPU it was built with
    /// (ONNX Runtime's TensorRT docs: clear the cache when one changes), so a changed environment
    /// starts an empty folder instead of loading a stale engine. ONNX Runtime names the engine
    /// files after the model graph's hash and the GPU's compute capability.
    /// </summary>
    public static string CacheFolder(string stateDirectory, GpuEnvironmentFingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(stateDirectory);
        ArgumentNullException.ThrowIfNull(fingerprint);
        var key = fingerprint.Hash.Length >= 16 ? fingerprint.Hash[..16] : "default";
        return Path.Combine(stateDirectory, CacheFolderName, key);
    }
}
