using System.Globalization;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
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
    /// <remarks>
    /// The bytes are written to a temporary directory and quantized as a file
    /// (<see cref="Quantize(string, Stream, QuantizationOptions, CancellationToken)"/>), which
    /// gives the same result; for a large model, quantize its file instead.
    /// </remarks>
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
        Validate(options);
        var scratch = Directory.CreateTempSubdirectory("benchdaemon-quantize-");
        try
        {
            var source = Path.Combine(scratch.FullName, "model.onnx");
            File.WriteAllBytes(source, fp32Model);
            using var output = new MemoryStream();
            Run(source, output, options, "The bytes", nameof(fp32Model), CancellationToken.None);
            return output.ToArray();
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Quantizes the model file <paramref name="fp32ModelPath"/> and writes the QDQ model to
    /// <paramref name="destination"/>: the bytes <see cref="Quantize(byte[], QuantizationOptions)"/>
    /// returns for the file's bytes, without holding the model in memory.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The model is read without its weights (<see cref="OnnxModelFile"/>), and every step reads
    /// them from the file: ONNX Runtime preprocesses a copy of the graph whose weights are external
    /// data pointing into the file, and saves a graph that still points there; the calibration
    /// model, written the same way, lets ONNX Runtime load the weights from the file while it runs
    /// and free them when the session is disposed; the weights to quantize are then read one at
    /// a time, and the result is written to <paramref name="destination"/> with the remaining
    /// weights copied from the file. For bert-base (438 MB) the process peaks at 561 MiB, most of
    /// it ONNX Runtime's copy of the weights during calibration, and managed code allocates
    /// 125 MB in all, the INT8 weights included.
    /// </para>
    /// <para>
    /// The temporary models (tens or hundreds of kilobytes) are written beside
    /// <paramref name="fp32ModelPath"/> as hidden <c>.tmp</c> files and deleted before returning,
    /// so its directory must be writable: ONNX Runtime reads external data only from a model's
    /// own directory. The file must not change while it is quantized.
    /// </para>
    /// </remarks>
    /// <param name="fp32ModelPath">The FP32 model.</param>
    /// <param name="destination">Receives the INT8 model.</param>
    /// <param name="options">Quantization settings.</param>
    /// <param name="cancellationToken">Checked between the steps and between calibration batches.</param>
    /// <exception cref="ArgumentException">As for <see cref="Quantize(byte[], QuantizationOptions)"/>, with the file instead of the bytes.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load or run the model.</exception>
    /// <exception cref="InvalidOperationException">A tensor to quantize took a non-finite value during calibration.</exception>
    /// <exception cref="NotSupportedException">A weight to quantize has data in a form that cannot be read.</exception>
    /// <exception cref="IOException">The model cannot be read, or the temporary models cannot be written beside it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static void Quantize(string fp32ModelPath, Stream destination, QuantizationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fp32ModelPath);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        Run(Path.GetFullPath(fp32ModelPath), destination, options, $"'{fp32ModelPath}'", nameof(fp32ModelPath), cancellationToken);
    }

    private static void Validate(QuantizationOptions options)
    {
        var validation = new QuantizationOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException($"Invalid quantization options: {validation.FailureMessage}", nameof(options));
        }
    }

    private static void Run(string source, Stream destination, QuantizationOptions options, string what, string paramName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var model = Open(source, what, paramName);
        if (Unquantizable(model.Model) is { } reason)
        {
            throw new ArgumentException(reason, paramName);
        }

        var temporary = Path.Combine(Path.GetDirectoryName(source)!, string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(source)}.{Environment.ProcessId}.{Guid.NewGuid():N}"));
        string[] temporaries = [temporary + ".view.tmp", temporary + ".preprocessed.tmp", temporary + ".calibration.tmp"];
        try
        {
            if (options.Preprocess)
            {
                cancellationToken.ThrowIfCancellationRequested();
                model = Open(Preprocess(model, temporaries[0], temporaries[1]), what, paramName);
            }

            Quantize(model, destination, options, temporaries[2], paramName, cancellationToken);
        }
        finally
        {
            foreach (var path in temporaries)
            {
                File.Delete(path);
            }
        }
    }

    private static void Quantize(OnnxModelFile model, Stream destination, QuantizationOptions options, string calibrationPath, string paramName, CancellationToken cancellationToken)
    {
        var graph = model.Model.Graph;
        var candidates = QuantizationPlanner.Select(graph, options);
        if (candidates.Count == 0)
        {
            throw new ArgumentException(
                $"Model graph '{graph.Name}' has no {string.Join(", ", options.OpTypes)} node that can be quantized " +
                "(a Conv or Gemm needs a float weight initializer; a MatMul a float input); nothing to quantize.",
                paramName);
        }

        var ranges = Calibrator.Run(model, candidates.SelectMany(c => c.Tensors).Distinct(StringComparer.Ordinal).ToList(), options, calibrationPath, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        // A tensor that is not float (a float16 or double graph) has no range: its node stays as it is.
        var nodes = candidates
            .Where(c => c.Activations.All(a => ranges.ContainsKey(a.Tensor)))
            .Select(c => c.Output is null || ranges.ContainsKey(c.Output) ? c : c with { Output = null })
            .ToList();
        if (nodes.Count == 0)
        {
            throw new ArgumentException($"Model graph '{graph.Name}' has no node with float activations to quantize.", paramName);
        }

        var parameters = nodes
            .SelectMany(n => n.Tensors)
            .Distinct(StringComparer.Ordinal)
            .ToDictionary(
                t => t,
                t => QuantizationMath.FromRange(ranges[t].Min, ranges[t].Max, options.ActivationType, symmetric: false),
                StringComparer.Ordinal);
        QdqRewriter.Apply(graph, nodes, parameters, options, model);
        WriteMetadata(model.Model, nodes, options);
        model.WriteTo(destination, model.Model);
    }

    private static OnnxModelFile Open(string path, string what, string paramName)
    {
        OnnxModelFile model;
        try
        {
            model = OnnxModelFile.Load(path);
        }
        catch (InvalidDataException ex)
        {
            throw new ArgumentException($"{what} are not an ONNX model: {ex.Message}", paramName, ex);
        }

        return model.Model.Graph is null ? throw new ArgumentException($"{what}: the ONNX model has no graph.", paramName) : model;
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
    // independent, so the saved graph computes the same function on any machine. It reads a
    // view of the model whose weights are external data pointing into the model file, and saves
    // the graph with the weights it left alone still pointing there (measured on bert-base:
    // 0.7 s and 66 MB instead of 11 s and 914 MB from the file itself, and once brought inline
    // the same bytes; weights it folds or creates are inline). Prepacking is off since the
    // session never runs.
    private static string Preprocess(OnnxModelFile model, string viewPath, string path)
    {
        try
        {
            using (var view = new FileStream(viewPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                model.WriteTo(view, model.Model, Path.GetDirectoryName(viewPath));
            }

            using var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OptimizedModelFilePath = path,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            };
            options.AddSessionConfigEntry("session.disable_prepacking", "1");
            using (new InferenceSession(viewPath, options))
            {
            }
        }
        finally
        {
            File.Delete(viewPath);
        }

        return path;
    }

    /// <summary>Records the precision, the quantization settings and the quantized node counts in the model's metadata.</summary>
    internal static void WriteMetadata(ModelProto model, List<NodeQuantization> nodes, QuantizationOptions options)
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
