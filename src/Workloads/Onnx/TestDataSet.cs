using System.Globalization;
using System.Text.RegularExpressions;
using BenchDaemon.Workloads.Canaries;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// A test data set as the ONNX ecosystem ships it beside a model (<c>test_data_set_0/</c>, read by
/// <c>onnxruntime_perf_test</c> and the ONNX backend tests): <c>input_K.pb</c> are the model's
/// inputs and <c>output_K.pb</c>, where present, the outputs they must give — serialized
/// <c>TensorProto</c>s, or <c>SequenceProto</c>/<c>OptionalProto</c>/<c>MapProto</c> for inputs and
/// outputs of those types. A file is matched to a graph input or output by the name stored in
/// it, or else by its number in the graph's order.
/// </summary>
internal sealed partial class TestDataSet
{
    /// <summary>The prefix of the directories searched beside a model.</summary>
    public const string DirectoryPrefix = "test_data_set_";

    private TestDataSet(string directory, IReadOnlyDictionary<string, OnnxData> inputs, IReadOnlyDictionary<string, OnnxData> outputs)
    {
        Directory = directory;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The directory the data came from.</summary>
    public string Directory { get; }

    /// <summary>The input values by graph input name.</summary>
    public IReadOnlyDictionary<string, OnnxData> Inputs { get; }

    /// <summary>The expected outputs by graph output name; empty when the set has none.</summary>
    public IReadOnlyDictionary<string, OnnxData> Outputs { get; }

    /// <summary>The first <c>test_data_set_N</c> directory (lowest N) beside <paramref name="modelPath"/> that holds an <c>input_0.pb</c>, or null.</summary>
    public static string? Find(string modelPath)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (folder is null || !System.IO.Directory.Exists(folder))
        {
            return null;
        }

        try
        {
            return System.IO.Directory.EnumerateDirectories(folder, DirectoryPrefix + "*")
                .Select(d => (Path: d, Number: Number(Path.GetFileName(d), DirectoryPrefix, string.Empty)))
                .Where(d => d.Number >= 0 && File.Exists(Path.Combine(d.Path, "input_0.pb")))
                .OrderBy(d => d.Number)
                .Select(d => d.Path)
                .FirstOrDefault();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The <c>input_K.pb</c> (or <c>output_K.pb</c>) files of <paramref name="directory"/>, in K order.</summary>
    public static IReadOnlyList<string> Files(string directory, string prefix) =>
        [.. System.IO.Directory.EnumerateFiles(directory, prefix + "_*.pb")
            .Select(f => (Path: f, Number: Number(Path.GetFileName(f), prefix + "_", ".pb")))
            .Where(f => f.Number >= 0)
            .OrderBy(f => f.Number)
            .Select(f => f.Path)];

    /// <summary>Reads the set for the graph whose inputs and outputs <paramref name="session"/> declares.</summary>
    /// <exception cref="CanaryInputException">A file cannot be read or matched; the message names it.</exception>
    public static TestDataSet Load(string directory, InferenceSession session)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(session);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new CanaryInputException($"test data directory not found: {directory}");
        }

        var inputs = Match(directory, "input", session.InputNames, session.InputMetadata);
        foreach (var (name, meta) in session.InputMetadata)
        {
            if (!inputs.ContainsKey(name) && meta.OnnxValueType != OnnxValueType.ONNX_TYPE_OPTIONAL)
            {
                throw new CanaryInputException($"test data {directory} has no value for input '{name}' ({Files(directory, "input").Count} input files for {session.InputNames.Count} inputs)");
            }
        }

        var outputs = Match(directory, "output", session.OutputNames, session.OutputMetadata);
        return new TestDataSet(directory, inputs, outputs);
    }

    /// <summary>
    /// The batch of the data for a model with <paramref name="inputs"/>: the first dimension of
    /// the data of the tensor inputs whose first dimension is symbolic; null when no input has
    /// one (the model runs at its fixed shapes).
    /// </summary>
    /// <exception cref="InvalidDataException">A file cannot be read, or the inputs disagree on the batch.</exception>
    public static long? Batch(string directory, IReadOnlyList<ModelInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var batches = new SortedSet<long>();
        var files = Files(directory, "input");
        for (var k = 0; k < files.Count; k++)
        {
            Models.Graph.Proto.TensorProto tensor;
            var number = Number(Path.GetFileName(files[k]), "input_", ".pb");
            var byNumber = number < inputs.Count ? inputs[(int)number] : null;
            if (byNumber is not { IsTensor: true })
            {
                continue;
            }

            try
            {
                tensor = Models.Graph.Proto.TensorProto.Parser.ParseFrom(File.ReadAllBytes(files[k]));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Google.Protobuf.InvalidProtocolBufferException)
            {
                throw new InvalidDataException($"{Path.GetFileName(files[k])} is not a readable tensor: {ex.Message}", ex);
            }

            var input = inputs.FirstOrDefault(i => i.IsTensor && i.Name == tensor.Name) ?? byNumber;
            if (input.Dimensions.Count > 0 && input.Dimensions[0] < 0 && tensor.Dims.Count > 0)
            {
                batches.Add(tensor.Dims[0]);
            }
        }

        return batches.Count switch
        {
            0 => null,
            1 => batches.Min,
            _ => throw new InvalidDataException($"its inputs disagree on the batch (first dimensions {string.Join(", ", batches)})"),
        };
    }

    private static Dictionary<string, OnnxData> Match(string directory, string prefix, IReadOnlyList<string> order, IReadOnlyDictionary<string, NodeMetadata> declared)
    {
        var values = new Dictionary<string, OnnxData>(StringComparer.Ordinal);
        var files = Files(directory, prefix);
        for (var k = 0; k < files.Count; k++)
        {
            var file = files[k];
            var label = $"{Path.GetFileName(directory)}/{Path.GetFileName(file)}";
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CanaryInputException($"test data {label} cannot be read: {ex.Message}", ex);
            }

            // The stored name wins; a file without one (or with a name the graph does not
            // have, as converters sometimes write) goes by its number.
            var number = Number(Path.GetFileName(file), prefix + "_", ".pb");
            var byNumber = number < order.Count ? order[(int)number] : null;
            var stored = OnnxData.StoredName(bytes, byNumber is not null ? declared[byNumber].OnnxValueType : OnnxValueType.ONNX_TYPE_TENSOR);
            var name = stored.Length > 0 && declared.ContainsKey(stored) ? stored : byNumber;
            if (name is null)
            {
                throw new CanaryInputException(string.Create(CultureInfo.InvariantCulture, $"test data {label} has no matching {prefix}: the model has {order.Count} {prefix}s ({string.Join(", ", order)})"));
            }

            try
            {
                values[name] = OnnxData.Parse(bytes, declared[name], label);
            }
            catch (InvalidDataException ex)
            {
                throw new CanaryInputException($"test data {label} for {prefix} '{name}': {ex.Message}", ex);
            }
        }

        return values;
    }

    private static long Number(string fileName, string prefix, string suffix)
    {
        if (!fileName.StartsWith(prefix, StringComparison.Ordinal) || !fileName.EndsWith(suffix, StringComparison.Ordinal))
        {
            return -1;
        }

        var digits = fileName[prefix.Length..^suffix.Length];
        return Digits().IsMatch(digits) && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
    }

    [GeneratedRegex("^[0-9]{1,9}$")]
    private static partial Regex Digits();
}
