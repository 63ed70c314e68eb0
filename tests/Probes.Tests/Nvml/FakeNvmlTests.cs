namespace BenchDaemon.Probes.Tests.Nvml;

/// <summary>Tests that script the process-wide fake NVML run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FakeNvmlTests
{
    public const string Name = "fake NVML";
}
