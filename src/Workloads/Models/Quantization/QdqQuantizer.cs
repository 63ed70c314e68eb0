using System.Globalization;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>
/// Static INT8 quantization in QDQ format, as onnxruntime.quantization's <c>quantize_static</c>
/// does: the model is calibrated on generated inputs, then every quantizable Conv, MatMul and
/// Gemm reads its weight through an integer initializer and a DequantizeLinear, and its
/// activations through QuantizeLinear → DequantizeLinear pairs. The graph still computes in
/// float as written, so any ONNX runtime can load it; ONNX Runtime's CPU provider recognises
/// each group and runs it as one integer kernel (QLinearConv, QGemm, QLinearMatMul or
/// MatMulIntegerToFloat) (<see href="https://onnxruntime.ai/docs/performance/model-optimizations/quantization.html#onnx-quantization-representation-format"/>).
/// </summary>
/// <remarks>
/// <para>
/// Biases are quantized to int32 with scale <c>input scale × weight scale</c> and zero point 0,
/// as onnxruntime.quantization does: ONNX Runtime fuses a Conv or Gemm only when its bias comes
/// through such a DequantizeLinear. A Conv's output is quantized too (QLinearConv has only a
/// quantized output); when a Relu or Clip is its only consumer, that node's output is quantized
/// instead, and ONNX Runtime drops the activation, since the quantized range already clips it.
/// MatMul and Gemm outputs stay float: ONNX Runtime fuses them without a QuantizeLinear
/// (MatMulIntegerToFloat, QGemm with a float output), which saves a requantization. A Gemm's
/// <c>alpha</c> and <c>beta</c> are folded into its weight and bias, since ONNX Runtime fuses
/// only a Gemm whose alpha and beta are 1.
/// </para>
/// <para>
/// The result is deterministic for a given model, options and ONNX Runtime build on a given
/// CPU: the ranges come from ONNX Runtime's float kernels, whose last bits may differ between
/// instruction sets.
/// </para>
/// </remarks>
public static class QdqQuantizer
{
    /// <summary>The ai.onnx opset a model needs: per-channel DequantizeLinear (its <c>axis</c>) arrived in opset 13.</summary>
    public const long MinimumOpset = 13;

    private static readonly string[] s_quantizedOps =
        ["QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "QGemm", "MatMulIntegerToFloat"];

    /// <summary>Quantizes <paramref name="fp32Model"/> (a serialized ONNX model) and returns the QDQ model.</summary>
    /// <exception cref="ArgumentException">
    /// The options are invalid; the bytes are no ONNX model; the model imports an opset older than
    /// <see cref="MinimumOpset"/>, is already quantized, or has no node that can be quantized
    /// (thrown rather than returning the model unchanged, so that an FP32 model is never passed
    /// off as INT8); or calibration inputs cannot be built from <see cref="QuantizationOptions.Dimensions"/>.
    /// </exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load or run the model.</exception>
    /// <exception cref="InvalidOperationException">A tensor to quantize took a non-finite value during calibration.</exception>
    /// <exception cref="NotSupportedException">A weight is stored as external data.</exception>
    public static byte[] Quantize(byte[] fp32Model, QuantizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(fp32Model);
        ArgumentNullException.ThrowIfNull(options);
        var validation = new QuantizationOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException($"Invalid quantization options: {validation.FailureMessage}", nameof(options));
        }

        var model = Parse(fp32Model);
        if (Unquantizable(model) is { } reason)
        {
            throw new ArgumentException(reason, nameof(fp32Model));
        }

        if (options.Preprocess)
        {
            model = Parse(Preprocess(fp32Model));
        }

        var candidates = QuantizationPlanner.Select(model.Graph, options);
        if (candidates.Count == 0)
        {
            throw new ArgumentException(
                $"Model graph '{model.Graph.Name}' has no {string.Join(", ", options.OpTypes)} node that can be quantized " +
                "(a Conv or Gemm needs a float weight initializer; a MatMul a float input); nothing to quantize.",
                nameof(fp32Model));
        }

        var ranges = Calibrator.Run(model, candidates.SelectMany(c => c.Tensors).Distinct(StringComparer.Ordinal).ToList(), options);

        // A tensor that is not float (a float16 or double graph) has no range: its node stays as it is.
        var nodes = candidates
            .Where(c => c.Activations.All(a => ranges.ContainsKey(a.Tensor)))
            .Select(c => c.Output is null || ranges.ContainsKey(c.Output) ? c : c with { Output = null })
            .ToList();
        if (nodes.Count == 0)
        {
            throw new ArgumentException($"Model graph '{model.Graph.Name}' has no node with float activations to quantize.", nameof(fp32Model));
        }

        var parameters = nodes
            .SelectMany(n => n.Tensors)
            .Distinct(StringComparer.Ordinal)
            .ToDictionary(
                t => t,
                t => QuantizationMath.FromRange(ranges[t].Min, ranges[t].Max, options.ActivationType, symmetric: false),
                StringComparer.Ordinal);
        QdqRewriter.Apply(model.Graph, nodes, parameters, options);
        WriteMetadata(model, nodes, options);
        return model.ToByteArray();
    }

    private static ModelProto Parse(byte[] fp32Model)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(fp32Model);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ArgumentException($"The bytes are not an ONNX model: {ex.Message}", nameof(fp32Model), ex);
        }

        return model.Graph is null ? throw new ArgumentException("The ONNX model has no graph.", nameof(fp32Model)) : model;
    }

    private static string? Unquantizable(ModelProto model)
    {
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
        if (opset < MinimumOpset)
        {
            return $"The model imports ai.onnx opset {opset}; quantization needs {MinimumOpset} or newer (per-channel DequantizeLinear). Export it at a newer opset.";
        }

        var quantized = model.Graph.Node.FirstOrDefault(n => s_quantizedOps.Contains(n.OpType, StringComparer.Ordinal));
        return quantized is null ? null : $"The model is already quantized: it has a {quantized.OpType} node ('{quantized.Name}').";
    }

    // ONNX Runtime's basic level holds only graph rewrites that are exact and hardware
    // independent, so the saved graph computes the same function on any machine.
    private static byte[] Preprocess(byte[] model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"benchdaemon-quantize-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OptimizedModelFilePath = path,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            })
            using (new InferenceSession(model, options))
            {
            }

            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void WriteMetadata(ModelProto model, List<NodeQuantization> nodes, QuantizationOptions options)
    {
        var invariant = CultureInfo.InvariantCulture;
        var calibration = options.CalibrationMethod == CalibrationMethod.Percentile
            ? $"percentile {options.Percentile.ToString(invariant)}"
            : "minmax";
        var dimensions = string.Concat(options.Dimensions
            .OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => $", {d.Key}={d.Value.ToString(invariant)}"));
        var counts = nodes
            .GroupBy(n => n.Node.OpType, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count().ToString(invariant)}");

        SetMetadata(model, "benchdaemon.precision", "int8");
        SetMetadata(model, "benchdaemon.quantization", "qdq-static");
        SetMetadata(model, "benchdaemon.quantization.activations", $"{Name(options.ActivationType)} asymmetric per-tensor");
        SetMetadata(model, "benchdaemon.quantization.weights", $"{Name(options.WeightType)} symmetric {(options.PerChannel ? "per-channel" : "per-tensor")}{(options.ReduceRange ? " 7-bit" : string.Empty)}");
        SetMetadata(model, "benchdaemon.quantization.bias", "int32");
        SetMetadata(model, "benchdaemon.quantization.calibration",
            $"{calibration}, batches={options.CalibrationBatches.ToString(invariant)}, batch_size={options.BatchSize.ToString(invariant)}, seed={options.Seed.ToString(invariant)}{dimensions}");
        SetMetadata(model, "benchdaemon.quantization.nodes", string.Join(", ", counts));
    }

    private static string Name(OnnxElementType type) => type == OnnxElementType.UInt8 ? "uint8" : "int8";

    private static void SetMetadata(ModelProto model, string key, string value)
    {
        var entry = model.MetadataProps.FirstOrDefault(m => m.Key == key);
        if (entry is null)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        else
        {
            entry.Value = value;
        }
    }
}
