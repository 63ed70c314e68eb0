using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Bench.Canary;

/// <summary>
/// The models of the benchmark, written from <see cref="TinyModels"/> so that every arm and
/// the Node.js peer load the same bytes from the same files.
/// </summary>
internal static class BenchModels
{
    /// <summary>Harness-dominated: a few microseconds a call.</summary>
    public const string Mlp = "mlp";

    /// <summary>50 MatMul (256×256) + Tanh layers: sub-millisecond, compute-dominated.</summary>
    public const string Slow50 = "slow50";

    /// <summary>400 layers: several milliseconds a call.</summary>
    public const string Slow400 = "slow400";

    public static IReadOnlyList<string> Names { get; } = [Mlp, Slow50, Slow400];

    public static string PathOf(string directory, string name) => Path.Combine(directory, name + ".onnx");

    /// <summary>Writes every model into <paramref name="directory"/> and returns their paths.</summary>
    public static IReadOnlyList<string> WriteAll(string directory)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (var name in Names)
        {
            var path = PathOf(directory, name);
            File.WriteAllBytes(path, Bytes(name));
            paths.Add(path);
        }

        return paths;
    }

    private static byte[] Bytes(string name) => name switch
    {
        Mlp => TinyModels.Mlp(),
        Slow50 => TinyModels.Slow(50),
        Slow400 => TinyModels.Slow(400),
        _ => throw new ArgumentException($"unknown model '{name}'", nameof(name)),
    };
}
