using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using BenchDaemon.Cli;
using BenchDaemon.Probes;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Logging;
using Xunit;

namespace BenchDaemon.Tests.Hosting;

/// <summary>
/// Log event ids are unique across the daemon, the probes and the workloads, and each lies in the
/// range src/EVENT-IDS.md gives its namespace.
/// </summary>
public sealed partial class EventIdTests
{
    private static readonly Assembly[] Assemblies =
        [typeof(RunVerb).Assembly, typeof(ProbeSampler).Assembly, typeof(CanaryRunner).Assembly];

    [Fact]
    public void EveryLoggerMessage_HasAnIdNoOtherMessageUses()
    {
        var messages = LoggerMessages();
        Assert.True(messages.Count > 50, $"only {messages.Count} [LoggerMessage] methods found; the scan is broken");

        var duplicates = messages.GroupBy(m => m.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}")
            .ToList();
        Assert.True(duplicates.Count == 0, "event ids used more than once: " + string.Join("; ", duplicates));
    }

    [Fact]
    public void EveryLoggerMessage_LiesInItsNamespacesRange()
    {
        var ranges = Ranges();
        var misplaced = new List<string>();
        foreach (var message in LoggerMessages())
        {
            if (!ranges.TryGetValue(message.Namespace, out var range))
            {
                misplaced.Add($"{message.Name} ({message.Id}): namespace {message.Namespace} has no row in src/EVENT-IDS.md");
            }
            else if (message.Id < range.First || message.Id > range.Last)
            {
                misplaced.Add($"{message.Name} ({message.Id}): outside {message.Namespace}'s range {range.First}–{range.Last}");
            }
        }

        Assert.True(misplaced.Count == 0, string.Join(Environment.NewLine, misplaced));
    }

    [Fact]
    public void TheRegistry_ListsEachNamespaceOnce()
    {
        var rows = Rows().ToList();
        Assert.NotEmpty(rows);
        var twice = rows.GroupBy(r => r.Namespace).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, "namespaces listed twice in src/EVENT-IDS.md: " + string.Join(", ", twice));
    }

    private sealed record Message(int Id, string Namespace, string Name);

    private static List<Message> LoggerMessages()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        return Assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(all).Select(m => (Type: t, Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>())))
            .Where(x => x.Attribute is not null)
            .Select(x => new Message(x.Attribute!.EventId, x.Type.Namespace ?? "", $"{x.Type.FullName}.{x.Method.Name}"))
            .ToList();
    }

    private static Dictionary<string, (int First, int Last)> Ranges() =>
        Rows().ToDictionary(r => r.Namespace, r => (r.First, r.Last));

    private static IEnumerable<(int First, int Last, string Namespace)> Rows()
    {
        foreach (var line in File.ReadLines(Path.Combine(Repository.Root, "src", "EVENT-IDS.md")))
        {
            var row = RowPattern().Match(line);
            if (row.Success)
            {
                yield return (int.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture),
                    int.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture), row.Groups[3].Value);
            }
        }
    }

    [GeneratedRegex(@"^\|\s*(\d+)\s*[–-]\s*(\d+)\s*\|\s*`([A-Za-z.]+)`\s*\|")]
    private static partial Regex RowPattern();
}
