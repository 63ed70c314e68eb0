using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchDaemon.Bench.Corpus;
using BenchDaemon.Bench.Corpus.Families;

// Usage: corpus-builder <outDir>
// Writes one folder per model, <outDir>/<family>-<name>/, with model.onnx, for many a
// test_data_set_0/ (input_K.pb and, where the expected values are computed here, output_K.pb),
// and canary.json where the canary needs settings (Inputs:<symbol>); and <outDir>/corpus.tsv
// listing every model with its value types, shape kind, test data and expected outcome.
// Deterministic: fixed seeds, the same bytes on every run.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: corpus-builder <outDir>");
    return 2;
}

var clock = Stopwatch.StartNew();
var corpus = new Corpus();
Elementwise.Add(corpus);
Linear.Add(corpus);
Convolution.Add(corpus);
Normalization.Add(corpus);
Reductions.Add(corpus);
ShapeOps.Add(corpus);
Indexing.Add(corpus);
Types.Add(corpus);
ControlFlow.Add(corpus);
Sequences.Add(corpus);
Optionals.Add(corpus);
MachineLearning.Add(corpus);
Quantized.Add(corpus);
Composite.Add(corpus);
Dims.Add(corpus);
Invalid.Add(corpus);

var root = Path.GetFullPath(args[0]);
Directory.CreateDirectory(root);
var list = new StringBuilder("folder\tfamily\topset\tvalue_types\tshape_kind\ttest_data\tcanary_settings\texpected\n");
foreach (var model in corpus.Models)
{
    var folder = Path.Combine(root, model.Folder);
    Directory.CreateDirectory(folder);
    try
    {
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), model.Build());
        var data = Path.Combine(folder, "test_data_set_0");
        for (var k = 0; k < model.Inputs.Count; k++)
        {
            Directory.CreateDirectory(data);
            model.Inputs[k].Write(Path.Combine(data, string.Create(CultureInfo.InvariantCulture, $"input_{k}.pb")));
        }

        for (var k = 0; k < model.Outputs.Count; k++)
        {
            model.Outputs[k].Write(Path.Combine(data, string.Create(CultureInfo.InvariantCulture, $"output_{k}.pb")));
        }

        if (model.Dimensions.Count > 0)
        {
            File.WriteAllText(Path.Combine(folder, "canary.json"), JsonSerializer.Serialize(new { Inputs = model.Dimensions }) + "\n");
        }
    }
    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException)
    {
        Console.Error.WriteLine($"corpus-builder: {model.Folder}: {ex.Message}");
        return 1;
    }

    var settings = model.Dimensions.Count == 0 ? "-" : string.Join(' ', model.Dimensions.Select(d => string.Create(CultureInfo.InvariantCulture, $"Inputs:{d.Key}={d.Value}")));
    list.Append(CultureInfo.InvariantCulture, $"{model.Folder}\t{model.Family}\t{model.Opset}\t{model.ValueTypes}\t{model.ShapeKind}\t{model.TestData}\t{settings}\t{model.Expected}\n");
}

File.WriteAllText(Path.Combine(root, "corpus.tsv"), list.ToString());
var withData = corpus.Models.Count(m => m.Inputs.Count > 0);
var withOutputs = corpus.Models.Count(m => m.Outputs.Count > 0);
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"corpus-builder: {corpus.Models.Count} models in {corpus.Models.Select(m => m.Family).Distinct().Count()} families ({withData} with test data, {withOutputs} with expected outputs) in {clock.Elapsed.TotalSeconds:F1} s: {root}"));
return 0;
