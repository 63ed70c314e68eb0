namespace BenchDaemon.TestSupport;

/// <summary>
/// Tests that must not share the machine or the process with others: those that load the machine
/// (multi-megabyte SQLite writes, a child process killed mid-write, a scheduled daemon), so that
/// timing tests such as the graceful-stop deadlines are not measured under their load, and those
/// that measure this process's own resident memory and descriptors, so that other tests'
/// allocations are not counted as theirs. They run alone, after the parallel tests. Linked into
/// each test project: a collection definition counts only in its own test assembly.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTestGroup
{
    public const string Name = "serial";
}
