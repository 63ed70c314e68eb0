using System.Diagnostics;
using System.Security.Cryptography;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Models.Graph;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Models;

public sealed class TinyModelsTests
{
    // SHA-256 of TinyModels.Mlp() with its defaults. If this changes, every stored reference
    // output and history entry keyed by the model changes with it: change it on purpose only.
    private const string MlpSha256 = "312636492060ec55c23033a7d1095274e21759c6e7c0dd9ffaf64d3ad456f81a";

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(1, true)]
    [InlineData(4, true)]
    public void Mlp_Batch_RunsWithFiniteLogitsOfBatchByOutputs(int batch, bool float16)
    {
        var model = TinyModels.Mlp(inputs: 16, hidden: 32, outputs: 10, float16: float16);

        var (logits, shape) = OrtHarness.Run(model, ("input", OrtHarness.Floats(OrtHarness.Ramp(batch * 16), batch, 16)));

        Assert.Equal([batch, 10], shape);
        Assert.All(logits, v => Assert.True(float.IsFinite(v), $"non-finite logit {v}"));
        Assert.Contains(logits, v => v != 0f);
    }

    [Fact]
    public void Mlp_Float16_IsCloseToButNotEqualToFloat32()
    {
        const int Batch = 4;
        var input = OrtHarness.Ramp(Batch * 16);

        var (fp32, _) = OrtHarness.Run(TinyModels.Mlp(), ("input", OrtHarness.Floats(input, Batch, 16)));
        var (fp16, _) = OrtHarness.Run(TinyModels.Mlp(float16: true), ("input", OrtHarness.Floats(input, Batch, 16)));

        var maxAbsError = fp32.Zip(fp16, (a, b) => Math.Abs(a - b)).Max();
        // Measured 3.3e-4 on logits of magnitude up to 0.92: half rounding of weights and
        // activations, far below a changed prediction, but never exactly zero.
        Assert.InRange(maxAbsError, 1e-6f, 1e-2f);
    }

    [Fact]
    public void Mlp_DifferentSeed_GivesDifferentWeights()
    {
        Assert.NotEqual(TinyModels.Mlp(seed: 1), TinyModels.Mlp(seed: 2));
    }

    [Fact]
    public void Mlp_Defaults_HaveRecordedSha256()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(TinyModels.Mlp()));

        Assert.Equal(MlpSha256, hash);
    }

    [Theory]
    [InlineData(16, 32, 10)]
    [InlineData(3, 5, 7)]
    public void Mlp_Sizes_ParameterCountIsWeightsPlusBiases(int inputs, int hidden, int outputs)
    {
        var model = TinyModels.Mlp(inputs, hidden, outputs);

        Assert.Equal((inputs * hidden) + hidden + (hidden * outputs) + outputs, OnnxModelBuilder.CountParameters(model));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 7)]
    public void TokenClassifier_BatchAndSequence_RunsWithFiniteLogitsOfBatchByLabels(int batch, int sequence)
    {
        var model = TinyModels.TokenClassifier(vocab: 100, hidden: 16, labels: 4);
        var count = batch * sequence;
        var ids = Enumerable.Range(0, count).Select(i => (long)((i * 13) % 100)).ToArray();
        // Every row keeps its first token; later ones are padding in alternate rows.
        var mask = Enumerable.Range(0, count).Select(i => i % sequence == 0 || (i / sequence) % 2 == 0 ? 1L : 0L).ToArray();
        var types = Enumerable.Range(0, count).Select(i => (long)(i % sequence >= sequence / 2 ? 1 : 0)).ToArray();

        var (logits, shape) = OrtHarness.Run(
            model,
            ("input_ids", OrtHarness.Longs(ids, batch, sequence)),
            ("attention_mask", OrtHarness.Longs(mask, batch, sequence)),
            ("token_type_ids", OrtHarness.Longs(types, batch, sequence)));

        Assert.Equal([batch, 4], shape);
        Assert.All(logits, v => Assert.True(float.IsFinite(v), $"non-finite logit {v}"));
    }

    [Fact]
    public void TokenClassifier_PaddingPositions_DoNotChangeLogits()
    {
        var model = TinyModels.TokenClassifier();
        using var session = new InferenceSession(model);

        // The same two tokens, alone and followed by masked-out padding of other ids.
        var (unpadded, _) = OrtHarness.Run(
            session,
            ("input_ids", OrtHarness.Longs([5, 42], 1, 2)),
            ("attention_mask", OrtHarness.Longs([1, 1], 1, 2)),
            ("token_type_ids", OrtHarness.Longs([0, 1], 1, 2)));
        var (padded, _) = OrtHarness.Run(
            session,
            ("input_ids", OrtHarness.Longs([5, 42, 7, 99], 1, 4)),
            ("attention_mask", OrtHarness.Longs([1, 1, 0, 0], 1, 4)),
            ("token_type_ids", OrtHarness.Longs([0, 1, 1, 0], 1, 4)));

        Assert.Equal(unpadded, padded, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void TokenClassifier_Defaults_ParameterCountIsEmbeddingsAndClassifier()
    {
        Assert.Equal((100 * 16) + (2 * 16) + (16 * 4) + 4, OnnxModelBuilder.CountParameters(TinyModels.TokenClassifier()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void WithOpset_SupportedOpset_RunsIdentity(int batch)
    {
        var input = OrtHarness.Ramp(batch);

        var (output, shape) = OrtHarness.Run(TinyModels.WithOpset(17), ("input", OrtHarness.Floats(input, batch)));

        Assert.Equal([batch], shape);
        Assert.Equal(input, output);
    }

    [Fact]
    public void WithOpset_Opset999_FailsToLoadNamingTheOpset()
    {
        // ORT 1.31.1 refuses any ai.onnx opset above the newest released one it knows (26):
        // "[ErrorCode:Fail] ...model_load_utils.h:46 ... ValidateOpsetForDomain ... ONNX Runtime
        // only *guarantees* support for models stamped with official released onnx opset
        // versions. Opset 999 is under development and support for this is limited. ...
        // Current official support for domain ai.onnx is till opset 26."
        var ex = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(TinyModels.WithOpset(999)));

        Assert.Contains("999", ex.Message, StringComparison.Ordinal);
        Assert.Contains("opset", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Slow_Batch_RunsWithBoundedOutputOfBatchBy256(int batch)
    {
        var (output, shape) = OrtHarness.Run(
            TinyModels.Slow(50),
            ("input", OrtHarness.Floats(OrtHarness.Ramp(batch * TinyModels.SlowWidth), batch, TinyModels.SlowWidth)));

        Assert.Equal([batch, TinyModels.SlowWidth], shape);
        Assert.All(output, v => Assert.InRange(v, -1f, 1f));
        Assert.Contains(output, v => v != 0f);
    }

    [Fact]
    public void Slow_MoreIterations_TakesLongerPerRun()
    {
        var shallow = MedianRunTime(TinyModels.Slow(1));
        var deep = MedianRunTime(TinyModels.Slow(200));

        // 200 layers against 1: a 10x margin leaves room for a noisy machine.
        Assert.True(deep > shallow * 10, $"Slow(200) took {deep.TotalMilliseconds} ms, Slow(1) {shallow.TotalMilliseconds} ms");
    }

    private static TimeSpan MedianRunTime(byte[] model)
    {
        const int Batch = 16;
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var input = OrtHarness.Ramp(Batch * TinyModels.SlowWidth);
        var times = new List<TimeSpan>();
        for (var i = 0; i < 7; i++)
        {
            var start = Stopwatch.GetTimestamp();
            OrtHarness.Run(session, ("input", OrtHarness.Floats(input, Batch, TinyModels.SlowWidth)));
            times.Add(Stopwatch.GetElapsedTime(start));
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
