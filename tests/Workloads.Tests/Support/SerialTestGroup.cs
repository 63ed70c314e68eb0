namespace BenchDaemon.Workloads.Tests.Support;

/// <summary>
/// Tests that measure this process's own resident memory and descriptors: run alone, after the
/// parallel tests, so that other tests' allocations in the same process are not counted as theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTestGroup
{
    public const string Name = "serial";
}
