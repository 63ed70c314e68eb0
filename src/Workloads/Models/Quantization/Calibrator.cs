using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>
/// Runs a copy of the FP32 model whose graph outputs include every tensor to be quantized, on
/// ONNX Runtime's CPU provider with generated inputs, and records each tensor's range, as
/// onnxruntime.quantization's calibrators do by augmenting the graph.
/// </summary>
internal static class Calibrator
{
    /// <summary>
    /// Ranges of the float tensors among <paramref name="tensors"/>; a tensor of another element
    /// type has no entry (it cannot take a float QuantizeLinear).
    /// </summary>
    public static Dictionary<string, (float Min, float Max)> Run(ModelProto model, IReadOnlyList<string> tensors, QuantizationOptions options)
    {
        var augmented = model.Clone();
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

        var trackers = tensors.ToDictionary(
            t => t,
            t => new RangeTracker(t, options.CalibrationMethod, options.Percentile, options.CalibrationBatches),
            StringComparer.Ordinal);
        var nonFloat = new HashSet<string>(StringComparer.Ordinal);
        var outputNames = tensors.Where(t => !graphInputs.Contains(t)).ToArray();

        using var sessionOptions = new SessionOptions
        {
            // Basic optimizations keep every graph output's value; they only make the runs cheaper.
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = new InferenceSession(augmented.ToByteArray(), sessionOptions);
        using var runOptions = new RunOptions();
        var shapes = Shapes(session, options);
        for (var batch = 0; batch < options.CalibrationBatches; batch++)
        {
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
