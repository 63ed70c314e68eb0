using System.Diagnostics;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging.Abstractions;

namespace BenchDaemon.Workloads.Tests.Canaries;

/// <summary>
/// Randomised mutation of a tiny ONNX model (fixed seed, bounded count): every mutant goes
/// through the real canary runner and must come back as a result — measured, or failed with
/// a reason code — never an exception, never past its budget.
/// </summary>
public sealed class ModelMutationTests : IClassFixture<ModelFiles>
{
    private const int Mutants = 150;
    private static readonly OnnxRuntimeInfo s_runtime = new();
    private readonly ModelFiles _models;

    private readonly ITestOutputHelper _output;

    public ModelMutationTests(ModelFiles models, ITestOutputHelper output)
    {
        _models = models;
        _output = output;
    }

    [Fact]
    public void Run_MutatedModels_EveryOneEndsWithAResultAndAReason()
    {
        var original = TinyModels.Mlp(inputs: 8, hidden: 8, outputs: 4);
        var random = new Random(20261122);
        var runner = new CanaryRunner(s_runtime, TimeProvider.System, NullLogger<CanaryRunner>.Instance);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < Mutants; i++)
        {
            var path = _models.Write($"mutant-{i}.onnx", Mutate(original, random));
            var canary = Canary(path);
            var perRun = Stopwatch.StartNew();

            var result = runner.Run(canary, 1, TestContext.Current.CancellationToken);

            Assert.True(perRun.Elapsed < canary.Measure.Budget + TimeSpan.FromSeconds(5), $"mutant {i} took {perRun.Elapsed}");
            if (result.Status == CanaryStatus.Failed)
            {
                Assert.False(string.IsNullOrWhiteSpace(result.Reason), $"mutant {i}: failed without a reason");
                Assert.NotNull(result.ReasonCode);
            }
            else
            {
                Assert.True(result.Status is CanaryStatus.Ok or CanaryStatus.Unstable, $"mutant {i}: {result.Status} {result.Reason}");
            }

            var key = result.Status == CanaryStatus.Failed ? $"failed:{result.ReasonCode}" : result.Status.ToString().ToLowerInvariant();
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            File.Delete(path);
        }

        _output.WriteLine($"{Mutants} mutated models in {watch.Elapsed.TotalSeconds:F1} s: " + string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}")));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"{Mutants} mutants took {watch.Elapsed}");
        // Some mutants must really be broken, or the mutation did nothing.
        Assert.Contains(outcomes.Keys, k => k.StartsWith("failed:", StringComparison.Ordinal));
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var bytes = (byte[])source.Clone();
        switch (random.Next(4))
        {
            case 0:
                // Flip a few bytes anywhere: headers, shapes, weights, attribute values.
                for (var n = random.Next(1, 9); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 1:
                // Cut it short.
                return bytes[..random.Next(1, bytes.Length)];
            case 2:
                // Overwrite a run with a varint-heavy pattern that makes lengths absurd.
                var at = random.Next(bytes.Length);
                for (var k = at; k < Math.Min(bytes.Length, at + random.Next(1, 16)); k++)
                {
                    bytes[k] = 0xff;
                }

                return bytes;
            default:
                // Duplicate a slice: repeated fields, inconsistent lengths.
                var start = random.Next(bytes.Length);
                var length = Math.Min(random.Next(1, 128), bytes.Length - start);
                return [.. bytes[..start], .. bytes[start..(start + length)], .. bytes[start..]];
        }
    }

    private static CanaryDefinition Canary(string model)
    {
        var (canaries, errors) = CanaryExpander.Expand(
        [
            new CanaryOptions
            {
                Name = "mutant",
                Model = model,
                Threads = 1,
                Measure = new MeasureOptions
                {
                    MinIterations = 5,
                    MinDuration = TimeSpan.Zero,
                    Budget = TimeSpan.FromSeconds(2),
                    WarmupMinIterations = 1,
                    WarmupMaxIterations = 5,
                    WarmupMaxDuration = TimeSpan.FromMilliseconds(50),
                },
                Inputs = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase) { ["batch"] = 1 },
            },
        ]);
        Assert.Empty(errors);
        return canaries[0];
    }
}
