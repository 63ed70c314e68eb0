using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using BenchDaemon.Workloads.Models;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Zoo;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Models.Zoo;

public sealed class BertModelTests
{
    // SHA-256 of BertModel.Build(BertConfig.Tiny). If this changes, every stored reference
    // output and history entry keyed by the model changes with it: change it on purpose only.
    private const string TinySha256 = "ba207bacb281ec21c5e0e40b58bfeea7eb87ad63096a4a32ac01ade8df46d059";

    // 12 × (4·128·768² projections + 2·128²·768 attention + 2·128·768·3072 feed-forward)
    // + 768² pooler = 12 × 931,135,488 + 589,824.
    private const long BaseMacsAt128 = 11_174_215_680;

    // Built once for the whole class: about 0.44 GB and several seconds on a busy machine.
    private static readonly Lazy<byte[]> s_base = new(() => BertModel.Build(BertConfig.Base));

    private static readonly Lazy<byte[]> s_tiny = new(() => BertModel.Build(BertConfig.Tiny));

    [Theory]
    [InlineData(1, 8)]
    [InlineData(1, 16)]
    [InlineData(2, 8)]
    [InlineData(2, 16)]
    public void Build_TinyFp32_RunsWithFiniteOutputsOfBatchBySequenceByHidden(int batch, int sequence)
    {
        var hidden = BertConfig.Tiny.Hidden;

        var result = Run(s_tiny.Value, Inputs.Random(BertConfig.Tiny, batch, sequence, seed: 7));

        Assert.Equal([batch, sequence, hidden], result.HiddenShape);
        Assert.Equal([batch, hidden], result.PooledShape);
        Assert.All(result.Hidden, v => Assert.True(float.IsFinite(v), $"non-finite hidden state {v}"));
        Assert.All(result.Pooled, v => Assert.InRange(v, -1f, 1f));
        // LayerNorm (scale 1, shift 0) leaves each token at unit spread; the pooler's Tanh of a
        // 0.02-scale dense over it measured 0.17. Zero or a saturated ±1 would mean a broken graph.
        Assert.InRange(StandardDeviation(result.Hidden), 0.9, 1.1);
        Assert.InRange(StandardDeviation(result.Pooled), 0.05, 0.6);
    }

    [Fact]
    public void Build_TinyFp32_DifferentTokens_GiveDifferentPooledRows()
    {
        var result = Run(s_tiny.Value, Inputs.Random(BertConfig.Tiny, batch: 2, sequence: 8, seed: 7));

        var hidden = BertConfig.Tiny.Hidden;
        Assert.NotEqual(result.Pooled.AsSpan(0, hidden).ToArray(), result.Pooled.AsSpan(hidden, hidden).ToArray());
    }

    [Fact]
    public void Build_TinyFp32_ChangingALaterToken_ChangesTheFirstTokensOutput()
    {
        // Attention mixes positions: the first token's state depends on the last one's id.
        using var session = new InferenceSession(s_tiny.Value);
        var inputs = Inputs.Random(BertConfig.Tiny, batch: 1, sequence: 6, seed: 3);
        var changed = inputs with { Ids = [.. inputs.Ids[..^1], (inputs.Ids[^1] + 1) % BertConfig.Tiny.Vocab] };

        var before = Run(session, inputs);
        var after = Run(session, changed);

        var hidden = BertConfig.Tiny.Hidden;
        var largest = before.Hidden.AsSpan(0, hidden).ToArray().Zip(after.Hidden.AsSpan(0, hidden).ToArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest > 1e-4f, $"first token moved by at most {largest}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Build_Tiny_MaskedTrailingPadding_LeavesRealTokensUnchanged(bool float16)
    {
        const int Real = 5;
        const int Padded = 9;
        var hidden = BertConfig.Tiny.Hidden;
        using var session = new InferenceSession(float16 ? BertModel.Build(BertConfig.Tiny, float16: true) : s_tiny.Value);
        var real = Inputs.Random(BertConfig.Tiny, batch: 1, sequence: Real, seed: 11);
        var filler = Inputs.Random(BertConfig.Tiny, batch: 1, sequence: Padded - Real, seed: 12);
        var padded = new Inputs(
            [.. real.Ids, .. filler.Ids],
            [.. real.Mask, .. Enumerable.Repeat(0L, Padded - Real)],
            [.. real.Types, .. filler.Types],
            1,
            Padded);
        // The same tokens with the padding unmasked: must differ, or the comparison proves nothing.
        var unmasked = padded with { Mask = [.. Enumerable.Repeat(1L, Padded)] };

        var alone = Run(session, real);
        var withPadding = Run(session, padded);
        var attendingPadding = Run(session, unmasked);

        var realTokens = withPadding.Hidden.AsSpan(0, Real * hidden).ToArray();
        // exp(−10000 + score) is 0 in float and in half, so masked keys add exact zeros: measured
        // bit-identical in both precisions. The tolerance only allows a kernel that blocks its
        // sums differently by length; attending the padding moved the pooled output by 2.3e-3.
        Assert.Equal(alone.Hidden, realTokens, (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.Equal(alone.Pooled, withPadding.Pooled, (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.NotEqual(alone.Pooled, attendingPadding.Pooled, (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void Build_TinyFp16_OnCpu_RunsCloseToFp32()
    {
        var inputs = Inputs.Random(BertConfig.Tiny, batch: 2, sequence: 16, seed: 5);

        var fp32 = Run(s_tiny.Value, inputs);
        var fp16 = Run(BertModel.Build(BertConfig.Tiny, float16: true), inputs);

        Assert.Equal(fp32.HiddenShape, fp16.HiddenShape);
        Assert.Equal(fp32.PooledShape, fp16.PooledShape);
        Assert.All(fp16.Hidden, v => Assert.True(float.IsFinite(v), $"non-finite hidden state {v}"));
        // Half weights (and half activations where ORT keeps them) against float: never equal,
        // but far below the unit scale of the hidden states. Measured 2.0e-3 (hidden) and
        // 2.0e-4 (pooled) with ORT 1.31.1 on CPU.
        Assert.InRange(fp32.Hidden.Zip(fp16.Hidden, (a, b) => Math.Abs(a - b)).Max(), 1e-5f, 1e-2f);
        Assert.InRange(fp32.Pooled.Zip(fp16.Pooled, (a, b) => Math.Abs(a - b)).Max(), 1e-6f, 2e-3f);
    }

    [Fact]
    public void Build_TinyFp16_OnCpu_ComputesOnlyDataMovementAndLayerNormInHalf()
    {
        // ONNX Runtime 1.31.1's CPU provider on x86-64 loads and runs the FP16 graph without an
        // error, but it has FLOAT16 kernels only for Gather, LayerNormalization, Reshape,
        // Transpose, Unsqueeze and Cast. For every other op (MatMul, Add, Sub, Mul, Div, Erf,
        // Tanh; Softmax, which has no kernel and is expanded into its function body) its
        // InsertCastTransformer adds Cast nodes and runs the float kernel, so on CPU the FP16
        // model is a float model plus casts and not a half-precision benchmark. Read from the
        // profiler's per-node input types. If this fails, ORT has gained (or lost) half kernels:
        // update the set and the notes on BertModel.
        using var directory = new TemporaryDirectory();
        using var options = new SessionOptions();
        // The prefix must be set before profiling is enabled, which reads it.
        options.ProfileOutputPathPrefix = Path.Combine(directory.Path, "bert_fp16");
        options.EnableProfiling = true;
        using var session = new InferenceSession(BertModel.Build(BertConfig.Tiny, float16: true), options);

        Run(session, Inputs.Random(BertConfig.Tiny, batch: 1, sequence: 8, seed: 5));
        var kernels = ProfiledKernels(session.EndProfiling());

        var half = kernels.Where(k => k.FirstInputType == "float16").Select(k => k.OpType).ToHashSet();
        string[] expected = ["Cast", "Gather", "LayerNormalization", "Reshape", "Transpose", "Unsqueeze"];
        Assert.Equal(expected, half.Order());
        Assert.Contains(kernels, k => k.OpType == "MatMul" && k.FirstInputType == "float");
        Assert.DoesNotContain(kernels, k => k.OpType == "Softmax");
    }

    [Fact]
    public void ParameterCount_Base_IsHuggingFaceBertModelWithPooler()
    {
        Assert.Equal(109_482_240, BertModel.ParameterCount(BertConfig.Base));
    }

    [Fact]
    public void ParameterCount_Base_EqualsInitializerElementsOfBuiltGraph()
    {
        // Shape and scalar constants are Constant nodes, not initializers, so nothing but the
        // weights is counted.
        Assert.Equal(BertModel.ParameterCount(BertConfig.Base), OnnxModelBuilder.CountParameters(s_base.Value));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ParameterCount_Tiny_EqualsInitializerElementsOfBuiltGraph(bool float16)
    {
        var model = float16 ? BertModel.Build(BertConfig.Tiny, float16: true) : s_tiny.Value;

        Assert.Equal(BertModel.ParameterCount(BertConfig.Tiny), OnnxModelBuilder.CountParameters(model));
    }

    [Fact]
    public void MacsPerSample_BaseAtSequence128_IsAbout11Point2G()
    {
        Assert.Equal(BaseMacsAt128, BertModel.MacsPerSample(BertConfig.Base, 128));
    }

    [Fact]
    public void MacsPerSample_SequenceBeyondMaxPositions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BertModel.MacsPerSample(BertConfig.Tiny, BertConfig.Tiny.MaxPositions + 1));
    }

    [Fact]
    public void Build_TinyFp32_HasRecordedSha256()
    {
        Assert.Equal(TinySha256, Convert.ToHexStringLower(SHA256.HashData(s_tiny.Value)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Write_Tiny_StreamsTheBytesOfBuild(bool float16)
    {
        StreamedModel.AssertWritesTheBytesOf(
            BertModel.Build(BertConfig.Tiny, float16, seed: 5),
            (stream, scratch) => BertModel.Write(BertConfig.Tiny, stream, scratch, float16, seed: 5));
    }

    [Fact]
    public void Build_DifferentSeed_GivesDifferentBytes()
    {
        Assert.NotEqual(s_tiny.Value, BertModel.Build(BertConfig.Tiny, seed: 2));
    }

    [Theory]
    [InlineData(false, "fp32")]
    [InlineData(true, "fp16")]
    public void Build_Tiny_WritesMetadata(bool float16, string precision)
    {
        using var session = new InferenceSession(float16 ? BertModel.Build(BertConfig.Tiny, float16: true) : s_tiny.Value);

        var metadata = session.ModelMetadata.CustomMetadataMap;

        Assert.Equal("bert", metadata["benchdaemon.family"]);
        Assert.Equal("bert-tiny", metadata["benchdaemon.model"]);
        Assert.Equal(BertModel.ParameterCount(BertConfig.Tiny).ToString(CultureInfo.InvariantCulture), metadata["benchdaemon.parameters"]);
        Assert.Equal(BertModel.MacsPerSample(BertConfig.Tiny, 128).ToString(CultureInfo.InvariantCulture), metadata["benchdaemon.macs_per_sample"]);
        Assert.Equal("128", metadata["benchdaemon.macs_sequence"]);
        Assert.Equal(precision, metadata["benchdaemon.precision"]);
    }

    [Fact]
    public void Build_HiddenNotDivisibleByHeads_Throws()
    {
        var config = BertConfig.Tiny with { Heads = 3 };

        var ex = Assert.Throws<ArgumentException>(() => BertModel.Build(config));

        Assert.Equal("Heads", ex.ParamName);
    }

    [Fact]
    public void Build_TinySequenceBeyondMaxPositions_FailsAtRun()
    {
        using var session = new InferenceSession(s_tiny.Value);

        Assert.Throws<OnnxRuntimeException>(() => Run(session, Inputs.Random(BertConfig.Tiny, 1, BertConfig.Tiny.MaxPositions + 1, seed: 1)));
    }

    [Fact]
    public void Build_BaseFp32_Batch1Sequence128_RunsWithFiniteOutputs()
    {
        // The suite's one full-size inference: about 1 s on one core of a shared machine.
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(s_base.Value, options);

        var result = Run(session, Inputs.Random(BertConfig.Base, batch: 1, sequence: 128, seed: 9));

        Assert.Equal([1, 128, 768], result.HiddenShape);
        Assert.Equal([1, 768], result.PooledShape);
        Assert.All(result.Hidden, v => Assert.True(float.IsFinite(v), $"non-finite hidden state {v}"));
        Assert.InRange(StandardDeviation(result.Hidden), 0.9, 1.1);
        Assert.InRange(StandardDeviation(result.Pooled), 0.05, 0.9);
    }

    private static Result Run(byte[] model, Inputs inputs)
    {
        using var session = new InferenceSession(model);
        return Run(session, inputs);
    }

    private static Result Run(InferenceSession session, Inputs inputs)
    {
        long[] shape = [inputs.Batch, inputs.Sequence];
        using var ids = OrtValue.CreateTensorValueFromMemory(inputs.Ids, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(inputs.Mask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(inputs.Types, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(
            runOptions,
            ["input_ids", "attention_mask", "token_type_ids"],
            [ids, mask, types],
            ["last_hidden_state", "pooler_output"]);
        return new Result(
            outputs[0].GetTensorDataAsSpan<float>().ToArray(),
            outputs[0].GetTensorTypeAndShape().Shape,
            outputs[1].GetTensorDataAsSpan<float>().ToArray(),
            outputs[1].GetTensorTypeAndShape().Shape);
    }

    private static List<(string OpType, string FirstInputType)> ProfiledKernels(string profilePath)
    {
        // ORT's profile is a Chrome trace: one "Node" event per kernel run, with the op type and
        // each input's element type in args (onnxruntime/core/framework/sequential_executor.cc).
        using var trace = JsonDocument.Parse(File.ReadAllText(profilePath));
        var kernels = new List<(string, string)>();
        foreach (var e in trace.RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
            {
                continue;
            }

            var args = e.GetProperty("args");
            var firstInput = args.GetProperty("input_type_shape").EnumerateArray().First().EnumerateObject().First().Name;
            kernels.Add((args.GetProperty("op_name").GetString()!, firstInput));
        }

        return kernels;
    }

    private static double StandardDeviation(float[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
    }

    private sealed record Result(float[] Hidden, long[] HiddenShape, float[] Pooled, long[] PooledShape);

    private sealed record Inputs(long[] Ids, long[] Mask, long[] Types, int Batch, int Sequence)
    {
        /// <summary>Token ids uniform over the vocabulary, all attended, token type 0 then 1 at mid-sequence.</summary>
        public static Inputs Random(BertConfig config, int batch, int sequence, int seed)
        {
            var rng = new SplitMix64((ulong)seed);
            var count = batch * sequence;
            var ids = new long[count];
            var types = new long[count];
            for (var i = 0; i < count; i++)
            {
                ids[i] = (long)(rng.NextUInt64() % (ulong)config.Vocab);
                types[i] = i % sequence >= sequence / 2 ? 1 : 0;
            }

            return new Inputs(ids, [.. Enumerable.Repeat(1L, count)], types, batch, sequence);
        }
    }

    private sealed class TemporaryDirectory : IDisposable
    {
        public TemporaryDirectory() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bert-{Guid.NewGuid():N}");

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
