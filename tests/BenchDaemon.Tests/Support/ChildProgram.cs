using BenchDaemon.History;
using BenchDaemon.Tests.History;

namespace BenchDaemon.Tests.Support;

/// <summary>
/// The test assembly's entry point. Started as a child process (<c>dotnet exec
/// BenchDaemon.Tests.dll history-writer PATH</c>) it writes large runs to a history store
/// without pause, so that a kill -9 lands in the middle of a write; started any other way
/// (by <c>dotnet test</c>, or by hand) it is the xunit v3 test program and runs the tests.
/// </summary>
public static class ChildProgram
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args switch
        {
            ["history-writer", var path] => WriteHistory(path),
            ["history-writer", ..] => Usage(),
            _ => XunitEntryPoint.Run(args, SelfRegisteredExtensions.AddSelfRegisteredExtensions),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: history-writer PATH");
        return 2;
    }

    private static int WriteHistory(string path)
    {
        using var store = HistoryStore.Open(path);
        var random = new Random(3);
        var fingerprint = Runs.Fingerprint();
        for (var i = 0; ; i++)
        {
            // 200 000 samples: a few MB per transaction, so most of the time is spent inside a write.
            var samples = Enumerable.Range(0, 200_000).Select(_ => 0.001 + (0.001 * random.NextDouble())).ToArray();
            store.Insert(Runs.Result("crash", DateTimeOffset.UtcNow, samples), fingerprint, confirmation: false, keepSamples: true);
            Console.Out.WriteLine($"written {i + 1}");
            Console.Out.Flush();
        }
    }
}
