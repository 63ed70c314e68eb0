using System.Text.Json;
using System.Text.Json.Serialization;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workers;

/// <summary>
/// The protocol between the daemon and a worker process: one JSON object per line, daemon →
/// worker on the worker's standard input (<see cref="WorkerRequest"/>), worker → daemon on the
/// worker's original standard output (<see cref="WorkerEvent"/>; the worker points file
/// descriptor 1 at standard error before any native library loads, so a native library that
/// prints cannot corrupt the stream). The worker says <see cref="HelloEvent"/> with its
/// <see cref="Version"/> first; the daemon refuses a worker that speaks another version.
/// </summary>
internal static class WorkerProtocol
{
    /// <summary>Raised whenever a message changes shape in a way the other side cannot read.</summary>
    public const int Version = 2;

    /// <summary>The internal verb that starts a worker: <c>benchdaemon __worker</c>.</summary>
    public const string Verb = "__worker";

    /// <summary>Serializer settings of both directions: camelCase, enums as strings, not indented.</summary>
    public static JsonSerializerOptions Json { get; } = BenchDaemonJsonContext.WithStringEnums(
        new(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            TypeInfoResolver = BenchDaemonJsonContext.Default,
        },
        namingPolicy: null);

    /// <summary>One line of the stream for <paramref name="message"/>.</summary>
    public static string Serialize<T>(T message) => JsonSerializer.Serialize(message, Json);

    /// <summary>Parses one line; null for an empty line.</summary>
    public static T? Deserialize<T>(string line)
        where T : class => string.IsNullOrWhiteSpace(line) ? null : JsonSerializer.Deserialize<T>(line, Json);

    /// <summary>
    /// Restores what JSON does not carry: the dictionaries' comparers (symbolic dimensions are
    /// matched case-insensitively, see <see cref="CanaryExpander"/>).
    /// </summary>
    public static CanaryDefinition Restore(CanaryDefinition canary) => canary with
    {
        Inputs = new Dictionary<string, long>(canary.Inputs, StringComparer.OrdinalIgnoreCase),
        ProviderOptions = new Dictionary<string, string>(canary.ProviderOptions, StringComparer.Ordinal),
        InputFiles = new Dictionary<string, string>(canary.InputFiles, StringComparer.Ordinal),
    };

    /// <summary>The most per-call latencies an answer carries: a 2 µs model measured for 5 s makes millions.</summary>
    public const int MaxSamples = 50_000;

    /// <summary>
    /// At most <see cref="MaxSamples"/> of <paramref name="samples"/>: every k-th call in time order
    /// (the distribution and its drift over the window kept), with k as <paramref name="weight"/>.
    /// </summary>
    public static IReadOnlyList<double> Thin(IReadOnlyList<double> samples, out int weight)
    {
        weight = (samples.Count + MaxSamples - 1) / MaxSamples;
        if (weight <= 1)
        {
            weight = 1;
            return samples;
        }

        var thinned = new double[(samples.Count + weight - 1) / weight];
        for (var i = 0; i < thinned.Length; i++)
        {
            thinned[i] = samples[i * weight];
        }

        return thinned;
    }

    /// <summary>Per-call latencies as little-endian doubles in base64: a fraction of their JSON size.</summary>
    public static string EncodeSamples(IReadOnlyList<double> samples)
    {
        var bytes = new byte[samples.Count * sizeof(double)];
        for (var i = 0; i < samples.Count; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)), samples[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    /// <summary>The inverse of <see cref="EncodeSamples"/>.</summary>
    public static double[] DecodeSamples(string? base64)
    {
        if (string.IsNullOrEmpty(base64))
        {
            return [];
        }

        var bytes = Convert.FromBase64String(base64);
        var samples = new double[bytes.Length / sizeof(double)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)));
        }

        return samples;
    }
}
