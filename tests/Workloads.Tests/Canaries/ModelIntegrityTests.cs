using System.Security.Cryptography;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging.Abstractions;

namespace BenchDaemon.Workloads.Tests.Canaries;

/// <summary>The optional <c>Sha256</c> of a user model: a match runs, a mismatch is refused with a reason.</summary>
public sealed class ModelIntegrityTests : IClassFixture<ModelFiles>
{
    private static readonly OnnxRuntimeInfo s_runtime = new();
    private readonly ModelFiles _models;

    public ModelIntegrityTests(ModelFiles models)
    {
        _models = models;
    }

    [Fact]
    public void Run_MatchingSha256_Measures()
    {
        var path = _models.Write("integrity-ok.onnx", TinyModels.Mlp());
        var canary = Canary(path, Sha256Of(path).ToUpperInvariant());

        var result = Runner().Run(canary, 1, TestContext.Current.CancellationToken);

        Assert.True(result.Status is CanaryStatus.Ok or CanaryStatus.Unstable, result.Reason);
    }

    [Fact]
    public void Run_FileReplacedAfterConfiguration_FailsWithIntegrityMismatch()
    {
        var path = _models.Write("integrity-swapped.onnx", TinyModels.Mlp());
        var canary = Canary(path, Sha256Of(path));
        var runner = Runner();
        Assert.NotEqual(CanaryStatus.Failed, runner.Run(canary, 1, TestContext.Current.CancellationToken).Status);

        // Another model of the same kind, as a tampered or half-deployed file would be.
        File.WriteAllBytes(path, TinyModels.Mlp(seed: 2));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var result = runner.Run(canary, 1, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Equal(ReasonCodes.IntegrityMismatch, result.ReasonCode);
        Assert.Contains("not the configured", result.Reason, StringComparison.Ordinal);
        Assert.Contains(Sha256Of(path), result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, result.Iterations);
    }

    [Fact]
    public void Run_VariantShaMismatch_FailsBeforeSessionCreation()
    {
        var fp32 = _models.Write("integrity-fp32.onnx", TinyModels.Mlp());
        var fp16 = _models.Write("integrity-fp16.onnx", TinyModels.Mlp(float16: true));
        var options = Options(fp32, Sha256Of(fp32));
        options.Precision = Precision.FP16;
        options.Variants[Precision.FP16] = fp16;
        options.VariantsSha256[Precision.FP16] = new string('0', 64);
        var (canaries, errors) = CanaryExpander.Expand([options]);
        Assert.Empty(errors);

        var result = Runner().Run(canaries[0], 1, TestContext.Current.CancellationToken);

        Assert.Equal(CanaryStatus.Failed, result.Status);
        Assert.Equal(ReasonCodes.IntegrityMismatch, result.ReasonCode);
        Assert.Null(result.SessionCreateSeconds);
    }

    [Fact]
    public void Expand_Sha256Problems_ReportedWithTheirKeys()
    {
        var bad = Options("/m.onnx", "not-hex");
        var orphan = Options("/m.onnx", null);
        orphan.VariantsSha256[Precision.INT8] = new string('a', 64);

        var (_, errors) = CanaryExpander.Expand([bad, orphan]);

        Assert.Contains(errors, e => e.Key == "Canaries:0:Sha256" && e.Problem.Contains("64 hexadecimal digits", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "Canaries:1:VariantsSha256:INT8" && e.Problem.Contains("has no file in Variants:INT8", StringComparison.Ordinal));
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static CanaryRunner Runner() => new(s_runtime, TimeProvider.System, NullLogger<CanaryRunner>.Instance);

    private static CanaryOptions Options(string model, string? sha256) => new()
    {
        Name = "integrity-" + Path.GetFileNameWithoutExtension(model),
        Model = model,
        Sha256 = sha256,
        Threads = 1,
        Measure = new MeasureOptions
        {
            MinIterations = 10,
            MinDuration = TimeSpan.FromMilliseconds(20),
            Budget = TimeSpan.FromSeconds(10),
            WarmupMaxDuration = TimeSpan.FromMilliseconds(200),
        },
    };

    private static CanaryDefinition Canary(string model, string sha256)
    {
        var (canaries, errors) = CanaryExpander.Expand([Options(model, sha256)]);
        Assert.Empty(errors);
        return canaries[0];
    }
}
