using System.Text.Json;
using System.Text.Json.Serialization;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// The result of <see cref="ProviderUsabilityChecker.Check"/>: per provider and device, usable
/// or why not; the libraries found where; and the environment fingerprint it holds for, so a
/// caller can cache it and check again when <see cref="GpuEnvironmentFingerprint.Hash"/>
/// changes. Plain properties; <see cref="ToJson"/> / <see cref="FromJson"/> carry it across the
/// worker's process boundary.
/// </summary>
public sealed record ProviderUsabilityReport
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = false, TypeInfoResolver = WorkloadsJsonContext.Default };

    /// <summary>The environment the check ran in.</summary>
    public GpuEnvironmentFingerprint Fingerprint { get; init; } = new();

    /// <summary>Every GPU library looked for: found where, loaded or not, every place searched.</summary>
    public GpuLibraryReport Libraries { get; init; } = new();

    /// <summary>One entry per provider and device checked.</summary>
    public IReadOnlyList<ProviderUsability> Providers { get; init; } = [];

    /// <summary>ONNX Runtime's version (<c>1.32.0</c>) or <see cref="OnnxRuntimeInfo.Unavailable"/>.</summary>
    public string OnnxRuntimeVersion { get; init; } = OnnxRuntimeInfo.Unavailable;

    /// <summary>The ONNX Runtime package built in (<see cref="OnnxRuntimeBuild.Flavor"/>).</summary>
    public string Flavor { get; init; } = OnnxRuntimeBuild.Flavor;

    /// <summary>When the check finished.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>A report for a host where nothing was checked: only the CPU provider counts as usable.</summary>
    public static ProviderUsabilityReport None { get; } = new();

    /// <summary>The entry of <paramref name="provider"/> (any spelling: CUDA, CUDAExecutionProvider) on <paramref name="device"/>, or null when not checked.</summary>
    public ProviderUsability? Find(string provider, int device = 0)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var ortName = ExecutionProviders.ToOrtName(provider);
        return Providers.FirstOrDefault(p => p.Provider == ortName && p.Device == device);
    }

    /// <summary>True for the CPU provider, and for a provider checked usable on <paramref name="device"/>.</summary>
    public bool IsUsable(string provider, int device = 0) =>
        ExecutionProviders.IsCpu(provider) || Find(provider, device)?.Usable == true;

    /// <summary>The devices <paramref name="provider"/> is usable on, ascending.</summary>
    public IReadOnlyList<int> UsableDevices(string provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var ortName = ExecutionProviders.ToOrtName(provider);
        return [.. Providers.Where(p => p.Provider == ortName && p.Usable).Select(p => p.Device).Distinct().Order()];
    }

    /// <summary>The report as one line of JSON (camelCase).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Reads <see cref="ToJson"/>'s output.</summary>
    /// <exception cref="JsonException">The text is not such a report.</exception>
    public static ProviderUsabilityReport FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<ProviderUsabilityReport>(json, s_json) ?? throw new JsonException("empty provider usability report");
    }
}
