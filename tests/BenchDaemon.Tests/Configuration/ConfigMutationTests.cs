using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchDaemon.Cli;
using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Configuration;

/// <summary>
/// Randomised mutation of valid configurations (fixed seed, bounded count), validated in
/// process: each mutant is either accepted or rejected with a <see cref="ConfigurationException"/>
/// that names a key — never any other exception.
/// </summary>
public sealed class ConfigMutationTests(ITestOutputHelper output) : IDisposable
{
    private const int Mutants = 400;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly string[] s_hostileStrings =
    [
        "", " ", "NaN", "-Infinity", "1e309", "-1", "0", "99999999999999999999", "2147483648", "-00:00:01", "10675199.02:48:05.4775807",
        "../../etc/passwd", "/proc/self/mem", "\u0000", "line\r\nbreak", "é💥", new string('x', 5000), "true", "null", "{}", "[]",
        "builtin:", "builtin:../../x", "0 0 0 0 0 0 0", "* * * * * ?", "::", "[::1]:0", "localhost:65536", "http://user:pw@x:1",
    ];

    [Fact]
    public void Preflight_MutatedValidConfigs_AcceptedOrRejectedNamingAKey()
    {
        var bases = new[]
        {
            JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "deploy", "benchdaemon.example.json")), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!,
            JsonNode.Parse("""
                {
                  "Defaults": { "Canaries": false },
                  "Canaries": [
                    { "Name": "tiny", "Model": "builtin:bert-tiny", "BatchSizes": [1, 4], "Interval": "00:05:00", "Jitter": "00:00:10",
                      "Measure": { "MinIterations": 50, "Budget": "00:00:10" }, "Inputs": { "sequence": 32 } },
                    { "Name": "grid", "Matrix": { "Models": ["builtin:resnet-mini"], "Providers": ["CPU"], "Precisions": ["FP32", "INT8"] },
                      "Cron": "0 */15 * * * ?" }
                  ],
                  "Otlp": { "Headers": { "Authorization": "Bearer x" } }
                }
                """)!,
        };
        var random = new Random(20261122);
        var accepted = 0;
        var rejected = 0;

        for (var i = 0; i < Mutants; i++)
        {
            var config = bases[i % bases.Length].DeepClone();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                Mutate(config, random);
            }

            var path = Path.Combine(_temp.Path, $"mutant-{i}.json");
            File.WriteAllText(path, config.ToJsonString());
            var context = new CliContext(path, [$"State:Directory={_temp.Path}", $"Logs:Directory={_temp.Path}/logs"], TextWriter.Null, TextWriter.Null);
            try
            {
                var (services, loaded) = CommandServices.Build(context, LoggingMode.Quiet);
                using (services)
                {
                    _ = ConfigCheckVerb.Effective(services, loaded);
                }

                accepted++;
            }
            catch (Exception ex) when (ConfigurationPreflight.Translate(ex) is { } problem)
            {
                Assert.False(string.IsNullOrWhiteSpace(problem.Key) && !problem.Message.Contains(':', StringComparison.Ordinal), $"mutant {i}: {problem.Message}");
                Assert.False(problem.Message.Contains('\n', StringComparison.Ordinal), $"mutant {i}: a message of more than one line: {problem.Message}\n{File.ReadAllText(path)}");
                rejected++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"mutant {i} ({config.ToJsonString()}) threw {ex.GetType().Name}: {ex.Message}");
            }
        }

        output.WriteLine($"{Mutants} mutated configurations: {accepted} accepted, {rejected} rejected with a key, 0 other exceptions");
        Assert.True(rejected > Mutants / 4, $"{accepted} accepted, {rejected} rejected");
        Assert.True(accepted > 0, $"{accepted} accepted, {rejected} rejected");
    }

    private static void Mutate(JsonNode root, Random random)
    {
        var leaves = new List<JsonNode>();
        Collect(root, leaves);
        var target = leaves[random.Next(leaves.Count)];
        var parent = target.Parent!;
        JsonNode? replacement = random.Next(6) switch
        {
            0 => JsonValue.Create(s_hostileStrings[random.Next(s_hostileStrings.Length)]),
            1 => JsonValue.Create(random.Next(2) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : random.NextDouble() * Math.Pow(10, random.Next(-5, 30))),
            2 => random.Next(2) == 0 ? new JsonArray(JsonValue.Create(random.Next(-5, 5))) : new JsonObject { ["x"] = 1 },
            3 => null,
            4 => JsonValue.Create(random.Next(2) == 0),
            _ => JsonValue.Create(string.Create(CultureInfo.InvariantCulture, $"{random.Next(-100, 100000)}")),
        };

        switch (parent)
        {
            case JsonObject obj:
                var name = obj.First(p => ReferenceEquals(p.Value, target)).Key;
                if (random.Next(5) == 0)
                {
                    // A typo in the key instead of the value.
                    obj.Remove(name);
                    obj[name[..^1] + (char)('a' + random.Next(26))] = replacement;
                }
                else
                {
                    obj[name] = replacement;
                }

                break;
            case JsonArray array:
                array[array.IndexOf(target)] = replacement;
                break;
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> leaves)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    if (child is not null)
                    {
                        Collect(child, leaves);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Collect(child, leaves);
                }

                break;
            case JsonValue value:
                leaves.Add(value);
                break;
        }
    }
}
