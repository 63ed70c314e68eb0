using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Zoo;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging.Abstractions;

namespace BenchDaemon.Workloads.Tests.Canaries;

/// <summary>
/// Built-in models as canaries: the zoo generates each precision, the runner binds the model's
/// own dimensions, and reduced precisions report drift against FP32 within documented bounds.
/// </summary>
public sealed class BuiltinCanaryTests : IDisposable
{
    // Documented bounds (docs/canaries.md): FP16 weights in float IO models stay within 1e-2
    // absolute; static INT8 QDQ keeps the output direction (cosine) above 0.99.
    private const double Fp16MaxAbsError = 1e-2;
    private const double Int8MinCosine = 0.99;

    private readonly string _cache = Directory.CreateTempSubdirectory("benchdaemon-zoo-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_cache, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("resnet-mini", Precision.FP16)]
    [InlineData("resnet-mini", Precision.INT8)]
    [InlineData("bert-tiny", Precision.FP16)]
    [InlineData("bert-tiny", Precision.INT8)]
    public void Run_BuiltinReducedPrecision_DriftAgainstFp32WithinBound(string model, Precision precision)
    {
        var result = Run(model, precision);

        Assert.True(result.Status is CanaryStatus.Ok or CanaryStatus.Unstable, result.Reason);
        var drift = Assert.IsType<DriftResult>(result.Drift);
        Assert.True(double.IsFinite(drift.MaxAbsError) && drift.MaxAbsError > 0, $"max abs error {drift.MaxAbsError}");
        if (precision == Precision.FP16)
        {
            Assert.True(drift.MaxAbsError < Fp16MaxAbsError, $"FP16 max abs error {drift.MaxAbsError}");
        }
        else
        {
            Assert.True(drift.CosineSimilarity > Int8MinCosine, $"INT8 cosine {drift.CosineSimilarity}");
        }
    }

    [Fact]
    public void Run_BuiltinBertTiny_UsesTheModelsOwnSequenceAndVocabulary()
    {
        var result = Run("bert-tiny", Precision.FP32);

        Assert.True(result.Status is CanaryStatus.Ok or CanaryStatus.Unstable, result.Reason);
        Assert.Null(result.Drift);
        Assert.StartsWith(Path.Combine(_cache, "models"), result.ModelPath, StringComparison.Ordinal);
    }

    private CanaryResult Run(string model, Precision precision)
    {
        var (canaries, errors) = CanaryExpander.Expand([new CanaryOptions
        {
            Name = "zoo",
            Model = CanaryExpander.BuiltinPrefix + model,
            Precision = precision,
            Threads = 1,
            Measure = new MeasureOptions { MinIterations = 10, MinDuration = TimeSpan.FromMilliseconds(20), WarmupMaxDuration = TimeSpan.FromMilliseconds(200) },
        }]);
        Assert.Empty(errors);
        var zoo = new ModelZoo(_cache, NullLogger<ModelZoo>.Instance);
        var runner = new CanaryRunner(new OnnxRuntimeInfo(), TimeProvider.System, NullLogger<CanaryRunner>.Instance, zoo: zoo);
        return runner.Run(canaries[0], 2);
    }
}
