using System.Globalization;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workers;

namespace BenchDaemon.History;

/// <summary>Builds the environment fingerprint of a canary's run.</summary>
public sealed class FingerprintProvider(IGpuInventory gpus, WorkerRuntime runtime, ModelHashCache hashes)
{
    /// <summary>The host name recorded in fingerprints.</summary>
    public string Host { get; init; } = Environment.MachineName;

    /// <summary>The fingerprint of <paramref name="result"/> of <paramref name="canary"/>; GPU fields only for a GPU canary.</summary>
    public EnvironmentFingerprint For(CanaryDefinition canary, CanaryResult result)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(result);
        var gpu = canary.Device.GpuIndex is { } index ? gpus.Gpus.FirstOrDefault(g => g.Index == index) : null;

        var options = string.Join(' ', canary.ProviderOptions.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        var provider = string.Create(CultureInfo.InvariantCulture, $"{canary.Provider} {options} threads={canary.Threads} opt={canary.GraphOptimization}")
            .Replace("  ", " ", StringComparison.Ordinal);
        return new EnvironmentFingerprint
        {
            Host = Host,
            GpuModel = gpu?.Name,
            GpuUuid = gpu?.Uuid,
            DriverVersion = gpu?.DriverVersion,
            CudaVersion = gpu?.CudaDriverVersion,
            PowerLimitWatts = gpu?.PowerLimitWatts,
            OnnxRuntimeVersion = result.OnnxRuntimeVersion ?? runtime.Current.OnnxRuntimeVersion,
            ExecutionProvider = provider,
            ModelHash = hashes.Hash(result.ModelPath),
        };
    }
}
