using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Models;

/// <summary>Runs a model on ONNX Runtime's CPU provider and returns its single float output.</summary>
internal static class OrtHarness
{
    public static (float[] Data, long[] Shape) Run(byte[] model, params (string Name, OrtValue Value)[] inputs)
    {
        using var session = new InferenceSession(model);
        return Run(session, inputs);
    }

    public static (float[] Data, long[] Shape) Run(InferenceSession session, params (string Name, OrtValue Value)[] inputs)
    {
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(
                runOptions,
                inputs.Select(i => i.Name).ToArray(),
                inputs.Select(i => i.Value).ToArray(),
                session.OutputNames);
            var output = Assert.Single(results);
            return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
        }
        finally
        {
            foreach (var (_, value) in inputs)
            {
                value.Dispose();
            }
        }
    }

    public static OrtValue Floats(float[] data, params long[] shape) =>
        OrtValue.CreateTensorValueFromMemory(data, shape);

    public static OrtValue Longs(long[] data, params long[] shape) =>
        OrtValue.CreateTensorValueFromMemory(data, shape);

    /// <summary>Deterministic inputs in [-1, 1) that are not all alike.</summary>
    public static float[] Ramp(int count) =>
        Enumerable.Range(0, count).Select(i => (((i * 37) % 101) / 50.5f) - 1f).ToArray();
}
