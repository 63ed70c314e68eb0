using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace BenchDaemon.History;

/// <summary>
/// What a canary's result depends on besides the code under test: the series key is canary ×
/// this. Any change starts a new baseline segment and is recorded as an environment change.
/// </summary>
public sealed record EnvironmentFingerprint
{
    public required string Host { get; init; }

    public string? GpuModel { get; init; }

    public string? GpuUuid { get; init; }

    public string? DriverVersion { get; init; }

    public string? CudaVersion { get; init; }

    public double? PowerLimitWatts { get; init; }

    public required string OnnxRuntimeVersion { get; init; }

    /// <summary>Provider and its options, for example <c>CUDA device_id=0</c>.</summary>
    public required string ExecutionProvider { get; init; }

    /// <summary>SHA-256 of the model file (hex), or null when the file could not be read.</summary>
    public string? ModelHash { get; init; }

    /// <summary>The fields in a fixed order with their metric label names (field label of the environment-change metric).</summary>
    public IReadOnlyList<(string Field, string Value)> Fields() =>
    [
        ("host", Host),
        ("gpu_model", GpuModel ?? string.Empty),
        ("gpu_uuid", GpuUuid ?? string.Empty),
        ("driver_version", DriverVersion ?? string.Empty),
        ("cuda_version", CudaVersion ?? string.Empty),
        ("power_limit_watts", PowerLimitWatts is { } w ? w.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : string.Empty),
        ("onnxruntime_version", OnnxRuntimeVersion),
        ("execution_provider", ExecutionProvider),
        ("model_hash", ModelHash ?? string.Empty),
    ];

    /// <summary>A short stable key: the first 16 hex digits of SHA-256 over the fields.</summary>
    public string Key()
    {
        var text = string.Join('\n', Fields().Select(f => f.Field + "=" + f.Value));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>The fields that differ from <paramref name="previous"/>: field, old value, new value.</summary>
    public IReadOnlyList<(string Field, string From, string To)> Changes(EnvironmentFingerprint previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return previous.Fields().Zip(Fields())
            .Where(p => !string.Equals(p.First.Value, p.Second.Value, StringComparison.Ordinal))
            .Select(p => (p.First.Field, p.First.Value, p.Second.Value))
            .ToList();
    }

    /// <summary>JSON as stored and printed (camelCase).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, HistoryJson.Options);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    public static EnvironmentFingerprint FromJson(string json) =>
        JsonSerializer.Deserialize<EnvironmentFingerprint>(json, HistoryJson.Options) ?? throw new InvalidDataException("empty fingerprint");
}
