using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>
/// Runs a copy of the FP32 model whose graph outputs include every tensor to be quantized, on
/// ONNX Runtime's CPU provider with generated inputs, and records each tensor's range, as
/// onnxruntime.quantization's calibrators do by augmenting the graph.
/// </summary>
/// <remarks>
/// The copy is written to a file and the session loads it from there, with the weights as
/// external data pointing into the model's file, so the model is never held in managed memory
/// and ONNX Runtime frees its copy of the weights with the session. Weight prepacking stays on
/// although the session runs only a few batches: MLAS's packed and unpacked MatMul kernels sum
/// in different orders (measured on bert-base, turning it off changed 72 activation scales),
/// and the ranges must be the ones earlier versions calibrated, or cached INT8 models would change.
/// </remarks>
internal static class Calibrator
{
    /// <summary>
    /// Ranges of the float tensors among <paramref name="tensors"/>; a tensor of another element
    /// type has no entry (it cannot take a float QuantizeLinear).
    /// </summary>
    /// <param name="model">The model to calibrate; it is not changed.</param>
    /// <param name="tensors">The tensors whose ranges are wanted.</param>
    /// <param name="options">Calibration settings.</param>
    /// <param name="path">Where to write the calibration model, which is deleted again: in the directory of <paramref name="model"/>'s weights, for ONNX Runtime to read them from there.</param>
    /// <param name="cancellationToken">Checked before the session is created and between batches.</param>
    public static Dictionary<string, (float Min, float Max)> Run(
        OnnxModelFile model,
        IReadOnlyList<string> tensors,
        QuantizationOptions options,
        string path,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var outputNames = WriteAugmented(model, tensors, path);
            cancellationToken.ThrowIfCancellationRequested();
            return Calibrate(path, tensors, outputNames, options, cancellationToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // The model with every tensor to calibrate that is no graph input added as a graph output.
    private static string[] WriteAugmented(OnnxModelFile model, IReadOnlyList<string> tensors, string path)
    {
        var augmented = model.Model.Clone();
        var graph = augmented.Graph;
        var graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            if (!graphInputs.Contains(tensor) && graphOutputs.Add(tensor))
            {
                // No type: ONNX Runtime takes it from the node that produces the tensor.
                graph.Output.Add(new ValueInfoProto { Name = tensor });
            }
        }

        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            model.WriteTo(stream, augmented, Path.GetDirectoryName(path));
        }

        return tensors.Where(t => !graphInputs.Contains(t)).ToArray();
    }

    /// <summary>
    /// Runs the calibration model at <paramref name="path"/>, whose graph outputs include
    /// <paramref name="outputNames"/>, and returns the ranges of the float tensors among
    /// <paramref name="tensors"/> (graph inputs are read from the generated inputs).
    /// </summary>
    internal static Dictionary<string, (float Min, float Max)> Calibrate(
        string path,
        IReadOnlyList<string> tensors,
        string[] outputNames,
        QuantizationOptions options,
        CancellationToken cancellationToken)
    {
        var trackers = tensors.ToDictionary(
            t => t,
            t => new RangeTracker(t, options.CalibrationMethod, options.Percentile, options.CalibrationBatches),
            StringComparer.Ordinal);
        var nonFloat = new HashSet<string>(StringComparer.Ordinal);

        using var sessionOptions = new SessionOptions
        {
            // Basic optimizations keep every graph output's value; they only make the runs cheaper.
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = new InferenceSession(path, sessionOptions);
        using var runOptions = new RunOptions();
        var shapes = Shapes(session, options);
        for (var batch = 0; batch < options.CalibrationBatches; batch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var inputs = InputGenerator.Create(session.InputMetadata, shapes, options.Dimensions, unchecked(options.Seed + batch));
            try
            {
                // When every tensor to calibrate is a graph input, the inputs alone tell the ranges.
                using var results = outputNames.Length == 0
                    ? null
                    : session.Run(runOptions, inputs.Keys.ToArray(), inputs.Values.ToArray(), outputNames);
                var values = new Dictionary<string, OrtValue>(inputs, StringComparer.Ordinal);
                var index = 0;
                foreach (var result in results ?? Enumerable.Empty<OrtValue>())
                {
                    values[outputNames[index++]] = result;
                }

                foreach (var tensor in tensors)
                {
                    var value = values[tensor];
                    if (!value.IsTensor || value.GetTensorTypeAndShape().ElementDataType != TensorElementType.Float)
                    {
                        nonFloat.Add(tensor);
                        continue;
                    }

                    trackers[tensor].Add(value.GetTensorDataAsSpan<float>());
                }
            }
            finally
            {
                foreach (var input in inputs.Values)
                {
                    input.Dispose();
                }
            }
        }

        return trackers
            .Where(t => !nonFloat.Contains(t.Key))
            .ToDictionary(t => t.Key, t => t.Value.Range, StringComparer.Ordinal);
    }

    private static IReadOnlyDictionary<string, long[]> Shapes(InferenceSession session, QuantizationOptions options)
    {
        try
        {
            return InputGenerator.Shapes(session.InputMetadata, options.BatchSize, options.Dimensions);
        }
        catch (CanaryInputException ex)
        {
            // The generator words its messages for a canary's "Inputs" section; here they are Dimensions.
            throw new ArgumentException(
                $"Calibration inputs cannot be built: {ex.Message.Replace("Inputs:", "Dimensions:", StringComparison.Ordinal)}",
                nameof(options),
                ex);
        }
    }
}
