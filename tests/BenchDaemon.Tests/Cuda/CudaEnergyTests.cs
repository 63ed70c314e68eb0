using BenchDaemon.Probes;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Tests.Cuda;

/// <summary>
/// Energy of a GEMM window, in this test process against the fake driver and cuBLASLt with
/// their defaults (1 ms per matmul, an H100). No other test in this process loads CUDA
/// libraries, so binding them here once is safe.
/// </summary>
public sealed class CudaEnergyTests
{
    [Fact]
    public void Gemm_GpuCounterDelta_GivesJoulesPerFlopOfThatGpuAndJoulesPerCallOfHostAndThatGpu()
    {
        var meter = new SteppingMeter();
        var runner = new CudaCanaryRunner(Options.Create(new CudaOptions { LibraryDirectory = FakeCudaLibraries.Full }), NullLogger<CudaCanaryRunner>.Instance, meter);
        var canary = Assert.Single(CanaryExpander.Expand([new CanaryOptions
        {
            Name = "bf16", Model = CudaModels.Gemm, Precision = Precision.BF16, Size = 1024,
            // Enough calls for an `ok` run: the p99 needs 473 at the default TailConfidence.
            Measure = new MeasureOptions { MinIterations = 500, MinDuration = TimeSpan.Zero, WarmupMaxIterations = 10 },
        }]).Canaries);
        var start = new CanaryResult { Canary = "bf16", Model = canary.ModelLabel, Provider = "CUDA", Precision = Precision.BF16, Batch = 1, Status = CanaryStatus.Failed };

        var result = runner.Run(canary, start, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Ok, result.Status);
        // Each reading adds 300 J on gpu:0, 100 J on gpu:1 and 20 J on the CPU package: one window is one step.
        Assert.Equal(300, result.EnergyJoules!["gpu:0"]);
        var operations = CudaCanaryRunner.GemmOperations(1024) * result.Iterations;
        Assert.Equal(300 / operations, result.EnergyJoulesPerFlop!.Value, 1e-20);
        // Per call: the CPU package and the canary's own GPU; gpu:1 is another device.
        Assert.Equal((300 + 20) / (double)result.Iterations, result.EnergyJoulesPerSample!.Value, 1e-9);
        Assert.Equal(CudaCanaryRunner.GemmOperations(1024) / 0.001, result.ThroughputFlopsPerSecond!.Value, 1);
    }

    private sealed class SteppingMeter : IEnergyMeter
    {
        private int _readings;

        public IReadOnlyList<EnergyCounter> ReadEnergy()
        {
            var k = ++_readings;
            return [new("gpu:0", 300.0 * k), new("gpu:1", 100.0 * k), new("cpu:package-0", 20.0 * k)];
        }
    }
}
