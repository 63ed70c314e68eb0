using BenchDaemon.Cli;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Cli;

/// <summary>
/// Every malformed configuration ends with exit code 78 and exactly one stderr line that
/// names the key (or file) and the problem, with no stack trace.
/// </summary>
public sealed class ConfigurationErrorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string, string> MalformedFiles => new()
    {
        // name, file content, text the one line must contain
        { "unknown enum", """{ "Otlp": { "Protocol": "CarrierPigeon" } }""", "Otlp:Protocol: 'CarrierPigeon' is not one of Grpc, HttpProtobuf" },
        { "negative interval", """{ "Probes": { "Interval": "-00:00:01" } }""", "Probes:Interval: must be between" },
        { "interval not a time span", """{ "Probes": { "Interval": "fast" } }""", "Probes:Interval: 'fast' is not a time span" },
        { "port out of range", """{ "Metrics": { "Listen": "127.0.0.1:70000" } }""", "Metrics:Listen: port 70000 is out of range 1-65535" },
        { "listen without port", """{ "Metrics": { "Listen": "localhost" } }""", "Metrics:Listen: 'localhost' has no port" },
        { "listen host name", """{ "Metrics": { "Listen": "metrics.example:9847" } }""", "Metrics:Listen: 'metrics.example' is not an IP address" },
        { "unwritable state directory", """{ "State": { "Directory": "/proc/benchdaemon-cannot-exist" } }""", "State:Directory: '/proc/benchdaemon-cannot-exist'" },
        { "unwritable log directory", """{ "Logs": { "Directory": "/proc/benchdaemon-logs" } }""", "Logs:Directory: '/proc/benchdaemon-logs'" },
        { "unknown log level", """{ "Logs": { "Level": "Loud" } }""", "Logs:Level: 'Loud' is not one of Verbose, Debug, Information, Warning, Error, Fatal" },
        { "retained files zero", """{ "Logs": { "RetainedFileCount": 0 } }""", "Logs:RetainedFileCount: must be between 1 and 1000" },
        { "file size too small", """{ "Logs": { "FileSizeLimitBytes": 10 } }""", "Logs:FileSizeLimitBytes: must be between 1024 and 1099511627776" },
        { "otlp interval zero", """{ "Otlp": { "Interval": "00:00:00" } }""", "Otlp:Interval: must be between 00:00:01 and 1.00:00:00" },
        { "boolean not boolean", """{ "Otlp": { "Enabled": "yes" } }""", "Otlp:Enabled: 'yes' is not true or false" },
        { "endpoint not a url", """{ "Otlp": { "Endpoint": "::not a url::" } }""", "Otlp:Endpoint: '::not a url::' is not an absolute http:// or https:// URL" },
        { "unknown key (typo)", """{ "Metrics": { "Listn": ":9847" } }""", "Metrics:Listn: unknown key; Metrics has CacheDuration, LatencyBucketMax, LatencyBucketMin, LatencyBucketsPerDecade, Listen, WebConfigFile" },
        { "unknown section", """{ "Metric": { "Listen": ":9847" } }""", "Metric: unknown section; known sections are Metrics, State, Probes, Otlp, Logs, OnnxRuntime, Cuda, Workers, Guards, History, Regression, Defaults, Canaries, Studies, Serilog" },
        { "object where value expected", """{ "Metrics": { "Listen": { "Port": 1 } } }""", "Metrics:Listen: expected a single value, found an object or array" },
        { "gpu energy interval too short", """{ "Probes": { "Gpu": { "EnergyInterval": "00:00:00.500" } } }""", "Probes:Gpu:EnergyInterval: must be between 00:00:01 and 01:00:00" },
        { "gpu retry max below initial", """{ "Probes": { "Gpu": { "RetryInitial": "00:01:00", "RetryMax": "00:00:10" } } }""", "Probes:Gpu:RetryMax: must not be shorter than Probes:Gpu:RetryInitial" },
        { "gpu unknown key", """{ "Probes": { "Gpu": { "LibaryPath": "/x" } } }""", "Probes:Gpu:LibaryPath: unknown key; Probes:Gpu has Enabled, EnergyInterval, GpmInterval, LibraryPath, PcieInterval, ProcessLimit, ProcessMetrics, RetryInitial, RetryMax" },
        { "malformed json", "{ \"Metrics\": { \"Listen\": \":9847\", } ", "malformed JSON at line 1" },
        { "json array at root", "[1, 2, 3]", "configuration file must hold a JSON object, not array" },
        { "empty file", string.Empty, "malformed JSON" },
        { "cuda library directory missing", """{ "Cuda": { "LibraryDirectory": "/nonexistent/cuda-libs" } }""", "Cuda:LibraryDirectory: '/nonexistent/cuda-libs' is not a directory" },
        { "cuda unknown key", """{ "Cuda": { "LibraryDir": "/usr/lib" } }""", "Cuda:LibraryDir: unknown key; Cuda has LibraryDirectory" },
        { "onnx canary with bf16", """{ "Canaries": [ { "Name": "m", "Model": "m.onnx", "Precision": "BF16" } ] }""", "Canaries:0:Precision: BF16 is valid only for cuda:gemm; ONNX canaries take FP32, FP16, INT8" },
        { "onnx matrix with tf32", """{ "Canaries": [ { "Name": "m", "Matrix": { "Models": ["builtin:resnet50"], "Precisions": ["FP32", "TF32"] } } ] }""", "Canaries:0:Matrix:Precisions: TF32 is valid only for cuda:gemm" },
        { "onnx variant fp8", """{ "Canaries": [ { "Name": "m", "Model": "m.onnx", "Variants": { "FP8": "m8.onnx" } } ] }""", "Canaries:0:Variants:FP8: ONNX model variants exist for FP32, FP16, INT8 only" },
        { "onnx canary with size", """{ "Canaries": [ { "Name": "m", "Model": "m.onnx", "Size": 8192 } ] }""", "Canaries:0:Size: applies only to CUDA micro-canaries" },
        { "unknown cuda model", """{ "Canaries": [ { "Name": "g", "Model": "cuda:conv" } ] }""", "Canaries:0:Model: 'cuda:conv' is not a CUDA micro-canary; they are cuda:gemm, cuda:memcpy, cuda:pcie" },
        { "gemm size not a multiple of 16", """{ "Canaries": [ { "Name": "g", "Model": "cuda:gemm", "Size": 1000 } ] }""", "Canaries:0:Size: 1000 is not a cuda:gemm matrix order: give a multiple of 16 in 256-65536" },
        { "gemm size too large", """{ "Canaries": [ { "Name": "g", "Model": "cuda:gemm", "Size": 131072 } ] }""", "Canaries:0:Size: 131072 is not a cuda:gemm matrix order" },
        { "memcpy size zero", """{ "Canaries": [ { "Name": "c", "Model": "cuda:memcpy", "Size": 0 } ] }""", "Canaries:0:Size: 0 MiB is out of range 1-65536 for cuda:memcpy" },
        { "pcie with precision", """{ "Canaries": [ { "Name": "p", "Model": "cuda:pcie", "Precision": "FP16" } ] }""", "Canaries:0:Precision: cuda:pcie copies bytes and has no precision" },
        { "gemm with batch sizes", """{ "Canaries": [ { "Name": "g", "Model": "cuda:gemm", "BatchSizes": [1, 8] } ] }""", "Canaries:0:BatchSizes: CUDA micro-canaries run at batch 1 only" },
        { "gemm on tensorrt", """{ "Canaries": [ { "Name": "g", "Model": "cuda:gemm", "Provider": "TensorRT" } ] }""", "Canaries:0:Provider: CUDA micro-canaries run on the CUDA driver; 'TensorRT' is not valid" },
        { "line break in a value", """{ "Metrics": { "CacheDuration": "line\r\nbreak" } }""", "Metrics:CacheDuration: 'line\\r\\nbreak' is not a time span" },
        { "latency buckets per decade zero", """{ "Metrics": { "LatencyBucketsPerDecade": 0 } }""", "Metrics:LatencyBucketsPerDecade: must be between 1 and 24, got '0'" },
        { "latency bucket range reversed", """{ "Metrics": { "LatencyBucketMin": "00:00:02", "LatencyBucketMax": "00:00:01" } }""", "Metrics:LatencyBucketMin: 00:00:02 to 00:00:01 (LatencyBucketMin to LatencyBucketMax) is not a range" },
        { "otlp histograms unknown", """{ "Otlp": { "Histograms": "Native" } }""", "Otlp:Histograms: 'Native' is not one of Explicit, Exponential" },
        { "gemm unknown precision", """{ "Canaries": [ { "Name": "g", "Model": "cuda:gemm", "Precision": "FP4" } ] }""", "Canaries:0:Precision: 'FP4' is not one of FP32, FP16, INT8, TF32, BF16, FP8" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public async Task ConfigCheck_MalformedFile_Exits78WithOneLineNamingTheKey(string name, string content, string expected)
    {
        var path = _temp.File($"{name.Replace(' ', '-')}.json", content);

        var (exitCode, stdout, stderr) = await InvokeAsync("config", "check", "--config", path, "--set", $"State:Directory={StateDirectory(content)}");

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("benchdaemon: configuration error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyVerb_MissingExplicitFile_Exits78NamingThePath()
    {
        var path = Path.Combine(_temp.Path, "absent.json");

        foreach (var verb in new[] { new[] { "config", "check" }, ["once"], ["probe"], ["run"] })
        {
            var (exitCode, _, stderr) = await InvokeAsync([.. verb, "--config", path]);

            Assert.Equal(ExitCodes.Config, exitCode);
            Assert.Contains($"{path}: configuration file not found", stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ConfigCheck_ConfigPathIsDirectory_Exits78()
    {
        var (exitCode, _, stderr) = await InvokeAsync("config", "check", "--config", _temp.Path);

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Contains("is a directory, not a configuration file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_StateDirectoryIsAFile_Exits78()
    {
        var file = _temp.File("not-a-directory", "x");

        var (exitCode, _, stderr) = await InvokeAsync("config", "check", "--set", $"State:Directory={file}");

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Contains($"State:Directory: '{file}' is a file, not a directory", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_SetWithoutEquals_Exits78NamingTheOption()
    {
        var (exitCode, _, stderr) = await InvokeAsync("config", "check", "--set", "Metrics:Listen");

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Contains("--set: 'Metrics:Listen' is not KEY=VALUE", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_BadOverrideBeatsGoodFile_Exits78()
    {
        var path = _temp.File("good.json", """{ "Metrics": { "Listen": "127.0.0.1:9847" } }""");

        var (exitCode, _, stderr) = await InvokeAsync("config", "check", "--config", path, "--set", "Metrics:Listen=127.0.0.1:0");

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Contains("Metrics:Listen: port 0 is out of range 1-65535", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealProcess_BadEnvironmentVariable_Exits78NamingTheKey()
    {
        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(
            ["run", "--set", $"State:Directory={_temp.Path}"],
            new Dictionary<string, string> { ["BENCHDAEMON__Probes__Interval"] = "-00:00:05" });

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Probes:Interval: must be between", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_PrecisionContradictsTheModelFile_WarnsNamingBothOnStderrAndExits0()
    {
        var config = PrecisionMismatchConfig();

        var (exitCode, stdout, stderr) = await InvokeAsync("config", "check", "--config", config, "--set", $"State:Directory={_temp.Path}");
        var (jsonExitCode, json, jsonStderr) = await InvokeAsync("config", "check", "--json", "--config", config, "--set", $"State:Directory={_temp.Path}");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("Configuration is valid, with 1 warning", stdout, StringComparison.Ordinal);
        foreach (var lines in new[] { stderr, jsonStderr })
        {
            var line = Assert.Single(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"{ConfigCheckVerb.WarningPrefix}Canaries:0:Precision: INT8, but mlp.onnx is an FP32 graph", line, StringComparison.Ordinal);
            Assert.Contains("through Variants:INT8 or TensorRT", line, StringComparison.Ordinal);
        }

        Assert.Equal(ExitCodes.Ok, jsonExitCode);
        Assert.Equal("INT8", System.Text.Json.Nodes.JsonNode.Parse(json)!["Canaries"]![0]!["Precision"]!.GetValue<string>());
    }

    [Fact]
    public async Task RealProcess_PrecisionContradictsTheModelFile_DaemonStartsAndLogsTheWarning()
    {
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", PrecisionMismatchConfig()]);

        await daemon.WaitForOutputAsync(" started: metrics at ", TimeSpan.FromSeconds(60));

        Assert.Contains("Configuration warning: Canaries:0:Precision: INT8, but mlp.onnx is an FP32 graph", daemon.StandardOutput, StringComparison.Ordinal);
    }

    // A canary that declares INT8 for an FP32 file, with no INT8 variant, on the CPU.
    private string PrecisionMismatchConfig()
    {
        var model = System.IO.Path.Combine(_temp.Path, "mlp.onnx");
        File.WriteAllBytes(model, Workloads.Models.TinyModels.Mlp());
        return _temp.File("precision.json", $$"""{ "Canaries": [ { "Name": "m", "Model": "{{model}}", "Precision": "INT8", "Interval": "01:00:00" } ] }""");
    }

    // Most cases share a valid state directory so that only the intended key is wrong.
    private string StateDirectory(string content) =>
        content.Contains("\"State\"", StringComparison.Ordinal) ? "" : _temp.Path;

    private static async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        // An empty --set value would itself be an override; drop the pair instead.
        var list = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--set" && i + 1 < args.Length && args[i + 1].EndsWith('='))
            {
                i++;
                continue;
            }

            list.Add(args[i]);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BenchDaemonCli.InvokeAsync([.. list], output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
