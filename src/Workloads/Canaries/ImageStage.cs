using System.Diagnostics;
using BenchDaemon.Workloads.Inputs;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// The preprocessing stage of an image canary: before each call, every sample of the bound
/// float NCHW input is produced from a JPEG by <see cref="ImagePreprocessor"/> (decode,
/// resize, centre crop, normalise), as a serving stack does, and timed apart from inference.
/// </summary>
internal sealed class ImageStage
{
    private readonly ImagePreprocessor _preprocessor;
    private readonly byte[] _jpeg;
    private readonly OrtValue _input;
    private readonly int _batch;
    private readonly int _sampleLength;
    private readonly List<double> _seconds = [];

    private ImageStage(ImagePreprocessor preprocessor, byte[] jpeg, OrtValue input, int batch, int sampleLength)
    {
        _preprocessor = preprocessor;
        _jpeg = jpeg;
        _input = input;
        _batch = batch;
        _sampleLength = sampleLength;
    }

    /// <summary>Finds the model's image input (float, [batch, 3, H, W] with H = W) and prepares the stage.</summary>
    public static ImageStage Create(IReadOnlyDictionary<string, NodeMetadata> metadata, IReadOnlyDictionary<string, OrtValue> inputs, IReadOnlyDictionary<string, long[]> shapes, ImageSizeClass sizeClass)
    {
        var image = metadata.FirstOrDefault(m => m.Value.ElementDataType == TensorElementType.Float
            && shapes[m.Key] is [_, 3, var h, var w] && h == w && h >= 8);
        if (image.Key is null)
        {
            throw new CanaryInputException("ImageInput is set but the model has no float [batch, 3, H, H] image input");
        }

        var shape = shapes[image.Key];
        var size = (int)shape[2];
        // The usual 256→224 ratio, at the model's own size.
        var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { TargetSize = size, ResizeShorterSide = (int)Math.Round(size * 256.0 / 224.0) });
        return new ImageStage(preprocessor, SyntheticImages.Jpeg(sizeClass), inputs[image.Key], (int)shape[0], preprocessor.OutputLength);
    }

    /// <summary>Preprocesses one batch into the bound input and records the time.</summary>
    public void Run()
    {
        var start = Stopwatch.GetTimestamp();
        var destination = _input.GetTensorMutableDataAsSpan<float>();
        for (var sample = 0; sample < _batch; sample++)
        {
            _preprocessor.Process(_jpeg, destination.Slice(sample * _sampleLength, _sampleLength));
        }

        _seconds.Add((Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency);
    }

    /// <summary>Mean seconds per call of each stage over the measured calls.</summary>
    public Dictionary<string, double> MeanSeconds(IReadOnlyList<double> inference) => new(StringComparer.Ordinal)
    {
        ["preprocess"] = Mean(_seconds, inference.Count),
        ["inference"] = inference.Average(),
    };

    /// <summary>Preprocessing's share of preprocessing plus inference.</summary>
    public double Share(IReadOnlyList<double> inference)
    {
        var preprocess = Mean(_seconds, inference.Count);
        return preprocess / (preprocess + inference.Average());
    }

    // Only the last n recorded calls belong to the measurement window.
    private static double Mean(List<double> seconds, int n) => seconds.Count == 0 ? 0 : seconds.Skip(Math.Max(0, seconds.Count - n)).Average();
}
