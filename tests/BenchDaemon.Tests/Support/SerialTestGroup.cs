namespace BenchDaemon.Tests.Support;

/// <summary>
/// Tests that load the machine (multi-megabyte SQLite writes, a child process killed mid-write,
/// a scheduled daemon): run alone, after the parallel tests, so that timing tests such as the
/// graceful-stop deadlines are not measured under their load.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTestGroup
{
    public const string Name = "serial";
}
