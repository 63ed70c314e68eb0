using System.Diagnostics;
using BenchDaemon.Workloads.Canaries;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Bench.Canary;

/// <summary>
/// The reference the canary loop is compared with: a session with the options CanaryRunner
/// uses for a CPU canary with one thread, the same generated inputs bound with
/// <see cref="OrtIoBinding"/>, outputs pre-allocated after a first call, and nothing else in
/// the loop but <see cref="InferenceSession.RunWithBinding(RunOptions, OrtIoBinding)"/>.
/// </summary>
internal sealed class BareLoop : IDisposable
{
    // CanaryRunner's warm-up, with MeasureOptions' defaults: blocks of 5 calls until the medians
    // of two consecutive blocks differ by at most 5 %, at least 10 and at most 1000 calls, 10 s
    // (its other cap, half the budget, does not bind at the budget of five minutes used here).
    private const int WarmupBlock = 5;
    private const int WarmupMinIterations = 10;
    private const int WarmupMaxIterations = 1000;
    private const double WarmupTolerance = 0.05;
    private static readonly TimeSpan s_warmupMaxDuration = TimeSpan.FromSeconds(10);

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private readonly List<OrtValue> _values = [];

    public BareLoop(string modelPath, int batch)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _session = new InferenceSession(modelPath, options);
        _binding = _session.CreateIoBinding();

        var noDimensions = new Dictionary<string, long>();
        var shapes = InputGenerator.Shapes(_session.InputMetadata, batch, noDimensions);
        foreach (var (name, value) in InputGenerator.Create(_session.InputMetadata, shapes, noDimensions, seed: 1))
        {
            _values.Add(value);
            _binding.BindInput(name, value);
        }

        foreach (var name in _session.OutputNames)
        {
            _binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
        }

        // First call: let ONNX Runtime allocate the outputs, then pre-allocate and bind them.
        _session.RunWithBinding(_runOptions, _binding);
        var outputs = new List<(string Name, OrtValue Value)>();
        using (var produced = _binding.GetOutputValues())
        {
            var names = _binding.GetOutputNames();
            for (var i = 0; i < names.Length; i++)
            {
                var info = produced[i].GetTensorTypeAndShape();
                outputs.Add((names[i], OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, info.ElementDataType, info.Shape)));
            }
        }

        _binding.ClearBoundOutputs();
        foreach (var (name, value) in outputs)
        {
            _values.Add(value);
            _binding.BindOutput(name, value);
        }
    }

    /// <summary>Warms up as CanaryRunner does; returns the number of calls, the first one included.</summary>
    public int WarmUp()
    {
        var iterations = 1;
        var block = new double[WarmupBlock];
        var previousMedian = double.NaN;
        var start = Stopwatch.GetTimestamp();
        while (iterations < WarmupMaxIterations && Stopwatch.GetElapsedTime(start) < s_warmupMaxDuration)
        {
            for (var i = 0; i < block.Length; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                _session.RunWithBinding(_runOptions, _binding);
                block[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }

            iterations += block.Length;
            var median = Statistics.Median(block);
            if (iterations >= WarmupMinIterations && !double.IsNaN(previousMedian)
                && Math.Abs(median - previousMedian) <= WarmupTolerance * previousMedian)
            {
                break;
            }

            previousMedian = median;
        }

        return iterations;
    }

    /// <summary>
    /// Times each of <paramref name="iterations"/> calls between two timestamps, kept as raw
    /// <see cref="Stopwatch"/> ticks (nanoseconds on Linux) so that the reference has no rounding.
    /// </summary>
    /// <returns>The per-call ticks and the wall time of the whole loop in seconds.</returns>
    public (long[] Ticks, double WindowSeconds) TimeEachCall(int iterations)
    {
        var ticks = new long[iterations];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < ticks.Length; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            _session.RunWithBinding(_runOptions, _binding);
            ticks[i] = Stopwatch.GetTimestamp() - t0;
        }

        return (ticks, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>Times <paramref name="iterations"/> calls as one block, with no per-call timestamps.</summary>
    /// <returns>The wall time of the whole loop in seconds.</returns>
    public double TimeBatch(int iterations)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++)
        {
            _session.RunWithBinding(_runOptions, _binding);
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public void Dispose()
    {
        _binding.Dispose();
        _runOptions.Dispose();
        foreach (var value in _values)
        {
            value.Dispose();
        }

        _session.Dispose();
    }
}
