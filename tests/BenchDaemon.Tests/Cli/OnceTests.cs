using System.Text.Json;
using BenchDaemon.Cli;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Tests.Cli;

/// <summary><c>benchdaemon once</c> with configured user models, through the real CLI.</summary>
public sealed class OnceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Once_Json_PrintsOneObjectPerCanaryAndBatchWithTheContractFields()
    {
        var model = Model("mlp.onnx", TinyModels.Mlp());
        var fp16 = Model("mlp-fp16.onnx", TinyModels.Mlp(float16: true));
        var config = Config($$"""
            { "Canaries": [
              { "Name": "mlp", "Model": "{{model}}", "BatchSizes": [1, 2], "Threads": 1, "Measure": {{Quick}} },
              { "Name": "mlp-half", "Model": "{{model}}", "Variants": { "FP16": "{{fp16}}" }, "Precision": "FP16", "Threads": 1, "Measure": {{Quick}} },
              { "Name": "mlp-cuda", "Model": "{{model}}", "Provider": "CUDA" }
            ] }
            """);

        var (exitCode, stdout, stderr) = await InvokeAsync("once", "--json", "--config", config);

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var results = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(4, results.Count);
        foreach (var field in new[] { "canary", "model", "provider", "precision", "batch", "status", "reason", "iterations", "latencySeconds", "throughputSamplesPerSecond", "sessionCreateSeconds", "energyJoulesPerSample", "drift" })
        {
            Assert.All(results, r => Assert.True(r.TryGetProperty(field, out _), $"missing {field}"));
        }

        var first = results[0];
        Assert.Equal("mlp", first.GetProperty("canary").GetString());
        Assert.Equal("mlp", first.GetProperty("model").GetString());
        Assert.Equal("FP32", first.GetProperty("precision").GetString());
        Assert.Contains(first.GetProperty("status").GetString(), new[] { "ok", "unstable" });
        var latency = first.GetProperty("latencySeconds");
        foreach (var stat in new[] { "mean", "stddev", "min", "p50", "p90", "p95", "p99", "p999", "max" })
        {
            Assert.True(latency.GetProperty(stat).GetDouble() >= 0, stat);
        }

        Assert.Equal(2, results[1].GetProperty("batch").GetInt32());
        Assert.True(results[2].GetProperty("drift").GetProperty("maxAbsError").GetDouble() > 0);
        Assert.Equal("skipped", results[3].GetProperty("status").GetString());
        Assert.Contains("[1/4] mlp batch 1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_ADeclaredPrecisionTheFileIsNot_WarnsAsConfigCheckDoesAndRuns()
    {
        var model = Model("mlp.onnx", TinyModels.Mlp());
        var config = Config($$"""{ "Canaries": [ { "Name": "mlp", "Model": "{{model}}", "Precision": "INT8", "Threads": 1, "Measure": {{Quick}} } ] }""");

        var (exitCode, stdout, stderr) = await InvokeAsync("once", "--json", "--config", config);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"{ConfigCheckVerb.WarningPrefix}Canaries:0:Precision: INT8, but mlp.onnx is an FP32 graph", stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("skipped", Assert.Single(json.RootElement.EnumerateArray().ToList()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Once_OnlyModelOfAQuantizedFile_RunsAsInt8NotSkipped()
    {
        var int8 = Model("user.int8.onnx", BenchDaemon.Workloads.Models.Quantization.QdqQuantizer.Quantize(TinyModels.Mlp(), new BenchDaemon.Workloads.Models.Quantization.QuantizationOptions()));
        var config = Config($$"""{ "Canaries": [ { "Name": "user", "Model": "{{int8}}", "Threads": 1, "Measure": {{Quick}} } ] }""");

        var (exitCode, stdout, stderr) = await InvokeAsync("once", "--json", "--config", config);

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var result = Assert.Single(json.RootElement.EnumerateArray().ToList());
        Assert.Equal("INT8", result.GetProperty("precision").GetString());
        Assert.Contains(result.GetProperty("status").GetString(), new[] { "ok", "unstable" });
        // No FP32 reference was given, so there is nothing to drift from.
        Assert.Equal(JsonValueKind.Null, result.GetProperty("drift").ValueKind);
    }

    [Fact]
    public async Task Once_OnlyModelOfAFixedShapeModel_RunsAtItsOwnShapes()
    {
        var shape = new BenchDaemon.Workloads.Models.Graph.OnnxDim[] { 3, 4, 5 };
        var model = Model("fixed.onnx", new BenchDaemon.Workloads.Models.Graph.OnnxModelBuilder("fixed")
            .Input("x", BenchDaemon.Workloads.Models.Graph.OnnxElementType.Float, shape)
            .Output("y", BenchDaemon.Workloads.Models.Graph.OnnxElementType.Float, shape)
            .Node("Relu", ["x"], ["y"])
            .ToBytes());
        var config = Config($$"""{ "Canaries": [ { "Name": "fixed", "Model": "{{model}}", "Threads": 1, "Measure": {{Quick}} } ] }""");

        var (exitCode, stdout, stderr) = await InvokeAsync("once", "--json", "--config", config);

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var result = Assert.Single(json.RootElement.EnumerateArray().ToList());
        Assert.Contains(result.GetProperty("status").GetString(), new[] { "ok", "unstable" });
    }

    [Fact]
    public async Task Once_FailedCanary_Exits1AndTableSaysWhy()
    {
        var config = Config($$"""{ "Canaries": [ { "Name": "gone", "Model": "{{Path.Combine(_temp.Path, "absent.onnx")}}" } ] }""");

        var (exitCode, stdout, _) = await InvokeAsync("once", "--config", config);

        Assert.Equal(ExitCodes.CanaryFailed, exitCode);
        Assert.Contains("failed", stdout, StringComparison.Ordinal);
        Assert.Contains("model file not found", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealProcess_BrokenOnnxRuntimeLibrary_CanaryFailsWithReasonAndBuildInfoSaysUnavailable()
    {
        var model = Model("mlp.onnx", TinyModels.Mlp());
        var bogus = _temp.File("libonnxruntime.so", "this is not a shared library");
        var config = Config($$"""{ "Canaries": [ { "Name": "mlp", "Model": "{{model}}" } ] }""");

        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(
            ["once", "--json", "--config", config, "--set", $"State:Directory={_temp.Path}", "--set", $"OnnxRuntime:LibraryPath={bogus}"]);

        Assert.True(exitCode == ExitCodes.CanaryFailed, stderr);
        using var json = JsonDocument.Parse(stdout);
        var result = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("failed", result.GetProperty("status").GetString());
        Assert.StartsWith("ONNX Runtime native library unavailable", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_MissingOnnxRuntimeLibraryPath_Exits78()
    {
        var (exitCode, _, stderr) = await InvokeAsync("once", "--set", $"OnnxRuntime:LibraryPath={Path.Combine(_temp.Path, "nope.so")}");

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Contains("OnnxRuntime:LibraryPath: '", stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadCanaries => new()
    {
        { """{ "Name": "a", "Model": "m.onnx", "Precison": "FP16" }""", "Canaries:0:Precison: unknown key; Canaries:0 has" },
        { """{ "Name": "a", "Model": "m.onnx", "Precision": "FP64" }""", "Canaries:0:Precision: 'FP64' is not one of FP32, FP16, INT8" },
        { """{ "Name": "a", "Model": "m.onnx", "Variants": { "FP8": "x.onnx" } }""", "Canaries:0:Variants:FP8: ONNX model variants exist for FP32, FP16, INT8 only" },
        { """{ "Name": "a", "Model": "m.onnx", "BatchSizes": [0] }""", "Canaries:0:BatchSizes: 0 is out of range 1-4096" },
        { """{ "Name": "a", "Model": "m.onnx", "Measure": { "Budget": "soon" } }""", "Canaries:0:Measure:Budget: 'soon' is not a time span" },
        { """{ "Name": "a", "Model": "m.onnx", "Measure": { "MinIterations": 0 } }""", "Canaries:0:Measure:MinIterations: must be between 1 and 10000000, got '0'" },
        { """{ "Name": "a" }""", "Canaries:0:Model: is required" },
        { """{ "Name": "a", "Model": "m.onnx", "GraphOptimization": "Max" }""", "Canaries:0:GraphOptimization: 'Max' is not one of" },
        { """{ "Name": "a", "Model": "m.onnx", "Inputs": { "sequence": 0 } }""", "Canaries:0:Inputs:sequence: 0 must be at least 1" },
        { """{ "Name": "a", "Model": "m.onnx", "BatchSizes": [1, "eight"] }""", "Canaries:0:BatchSizes:1: 'eight' is not a whole number" },
    };

    [Theory]
    [MemberData(nameof(BadCanaries))]
    public async Task Once_BadCanaryConfiguration_Exits78NamingTheKey(string canary, string expected)
    {
        var config = Config($$"""{ "Canaries": [ {{canary}} ] }""");

        var (exitCode, _, stderr) = await InvokeAsync("once", "--config", config);

        Assert.Equal(ExitCodes.Config, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_Matrix_ShowsExpandedCanaries()
    {
        var config = Config("""{ "Canaries": [ { "Name": "zoo", "Matrix": { "Models": ["a.onnx", "b.onnx"], "Precisions": ["FP32", "INT8"] } } ] }""");

        var (exitCode, stdout, stderr) = await InvokeAsync("config", "check", "--json", "--config", config);

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var names = json.RootElement.GetProperty("Canaries").EnumerateArray().Select(c => c.GetProperty("Name").GetString()).ToList();
        Assert.Equal(["zoo-a-cpu-fp32", "zoo-a-cpu-int8", "zoo-b-cpu-fp32", "zoo-b-cpu-int8"], names);
    }

    [Fact]
    public async Task ConfigCheck_NoCanariesConfigured_ShowsTheBuiltinDefaults()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("config", "check", "--json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var canaries = json.RootElement.GetProperty("Canaries").EnumerateArray().ToList();
        Assert.Equal(
            ["default-resnet50-cpu-fp32", "default-resnet50-cpu-int8", "default-bert-base-cpu-fp32", "default-bert-base-cpu-int8"],
            canaries.Select(c => c.GetProperty("Name").GetString()));
        Assert.All(canaries, c => Assert.Equal("00:15:00", c.GetProperty("Schedule").GetProperty("Interval").GetString()));
    }

    [Fact]
    public async Task ConfigCheck_DefaultsOff_ShowsNoCanaries()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("config", "check", "--json", "--set", "Defaults:Canaries=false");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(0, json.RootElement.GetProperty("Canaries").GetArrayLength());
    }

    [Fact]
    public async Task Once_UnknownBuiltinModel_Exits78ListingTheKnownOnes()
    {
        var config = Config("""{ "Canaries": [ { "Name": "x", "Model": "builtin:resnet51" } ] }""");

        var (exitCode, _, stderr) = await InvokeAsync("once", "--config", config);

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Contains("Canaries:0:Model: 'builtin:resnet51' is not a built-in model; built-in models are builtin:resnet50", stderr, StringComparison.Ordinal);
    }

    private const string Quick = """{ "MinIterations": 20, "MinDuration": "00:00:00.050", "Budget": "00:00:20", "WarmupMaxDuration": "00:00:01" }""";

    private string Model(string name, byte[] bytes)
    {
        var path = Path.Combine(_temp.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Config(string json) => _temp.File($"config-{Guid.NewGuid():N}.json", json.Replace("STATE", _temp.Path, StringComparison.Ordinal));

    private async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BenchDaemonCli.InvokeAsync([.. args, "--set", $"State:Directory={_temp.Path}"], output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
