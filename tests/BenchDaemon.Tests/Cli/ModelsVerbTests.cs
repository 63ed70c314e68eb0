using System.Text.Json;
using BenchDaemon.Cli;
using BenchDaemon.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Tests.Cli;

public sealed class ModelsVerbTests : IDisposable
{
    private static readonly string[] s_builtinNames = ["resnet50", "resnet-mini", "bert-base", "bert-tiny"];

    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Models_Json_ListsTheFourBuiltinModelsNoneCached()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("models", "--json");

        Assert.True(exitCode == ExitCodes.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        var models = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(s_builtinNames, models.Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(25_557_032, models[0].GetProperty("parameters").GetInt64());
        Assert.Equal(128, models[2].GetProperty("dimensions").GetProperty("sequence").GetInt64());
        foreach (var precision in models.SelectMany(m => m.GetProperty("precisions").EnumerateObject()))
        {
            Assert.False(precision.Value.GetProperty("cached").GetBoolean());
            Assert.StartsWith(Path.Combine(_state.Path, "models") + "/", precision.Value.GetProperty("path").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ModelsList_Table_ShowsEveryModelAndTheCacheDirectory()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("models", "list");

        Assert.True(exitCode == ExitCodes.Ok, stderr);
        Assert.All(s_builtinNames, name => Assert.Contains(name, stdout, StringComparison.Ordinal));
        Assert.Contains("109,482,240", stdout, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_state.Path, "models"), stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ResNetMiniInt8_WritesAModelOrtLoadsAndCachesIt()
    {
        var output = Path.Combine(_state.Path, "exported.onnx");

        var (exitCode, stdout, stderr) = await InvokeAsync("models", "export", "resnet-mini", "--precision", "int8", "-o", output);
        var (_, listed, _) = await InvokeAsync("models", "--json");

        Assert.True(exitCode == ExitCodes.Ok, stderr);
        Assert.StartsWith(output + " (", stdout, StringComparison.Ordinal);
        Assert.Contains("generating resnet-mini INT8", stderr, StringComparison.Ordinal);
        using (var session = new InferenceSession(output))
        {
            Assert.Equal("int8", session.ModelMetadata.CustomMetadataMap["benchdaemon.precision"]);
            Assert.Equal(["input"], session.InputNames);
        }

        using var json = JsonDocument.Parse(listed);
        var precisions = json.RootElement[1].GetProperty("precisions");
        Assert.True(precisions.GetProperty("int8").GetProperty("cached").GetBoolean());
        Assert.False(precisions.GetProperty("fp32").GetProperty("cached").GetBoolean());
        Assert.Equal(File.ReadAllBytes(output), File.ReadAllBytes(precisions.GetProperty("int8").GetProperty("path").GetString()!));
    }

    [Fact]
    public async Task Export_UnknownModel_Exits2ListingTheKnownNames()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("models", "export", "resnet18", "-o", Path.Combine(_state.Path, "x.onnx"));

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("'resnet18' is not a built-in model", stderr, StringComparison.Ordinal);
        Assert.Contains(string.Join(", ", s_builtinNames), stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_state.Path, "x.onnx")));
    }

    [Fact]
    public async Task Export_UnknownPrecision_Exits2()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("models", "export", "bert-tiny", "--precision", "fp64");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("'fp64' is not a precision", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ToAMissingDirectory_Exits73NamingThePath()
    {
        var output = Path.Combine(_state.Path, "no-such-directory", "model.onnx");

        var (exitCode, _, stderr) = await InvokeAsync("models", "export", "builtin:resnet-mini", "-o", output);

        Assert.Equal(ExitCodes.CantCreate, exitCode);
        Assert.Contains($"cannot write {output}", stderr, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BenchDaemonCli.InvokeAsync([.. args, "--set", $"State:Directory={_state.Path}"], output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
