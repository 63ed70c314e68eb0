using System.Text.Json;
using BenchDaemon.Cli;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Studies;
using BenchDaemon.Workloads.Tests.Studies;

namespace BenchDaemon.Tests.Cli;

public sealed class StudyVerbTests : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Theory]
    [InlineData("study", "nonsense")]
    [InlineData("study", "batch", "--batches", "0")]
    [InlineData("study", "batch", "--batches", "two")]
    [InlineData("study", "batch", "--models", "builtin:resnet51")]
    [InlineData("study", "precision", "--precisions", "FP64")]
    [InlineData("study", "depth", "--models", "builtin:resnet50")]
    [InlineData("study", "depth", "--attention-widths", "100")]
    [InlineData("study", "batch", "--baseline", "CPU:fast")]
    [InlineData("study", "pipeline", "--image-sizes", "huge")]
    public async Task Study_BadArguments_ExitUsageWithOneClearLine(params string[] args)
    {
        var (exitCode, _, stderr) = await InvokeAsync(args);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.StartsWith("benchdaemon: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_EveryKindOfCell_MatchesGoldenFile()
    {
        // What `study --json` prints: the cells in the CLI's JSON form.
        var json = JsonSerializer.Serialize(GoldenCells.Derived(), CliJson.Options);

        if (Environment.GetEnvironmentVariable("BENCHDAEMON_WRITE_GOLDEN") is { Length: > 0 } directory)
        {
            File.WriteAllText(Path.Combine(directory, "cells.cli.json"), json);
        }

        Assert.Equal(GoldenCells.Golden("cells.cli.json"), json);
    }

    [Fact]
    public async Task Study_BadBatch_NamesTheOptionAndTheValue()
    {
        var (_, _, stderr) = await InvokeAsync("study", "batch", "--batches", "1,5000");

        Assert.Contains("--batches: 5000 is out of range 1-4096", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Study_UnwritableOutput_ExitsCantCreate()
    {
        var file = Path.Combine(_state.Path, "a-file");
        await File.WriteAllTextAsync(file, "x", TestContext.Current.CancellationToken);

        var (exitCode, _, stderr) = await InvokeAsync("study", "batch", "--quick", "-o", Path.Combine(file, "sub"));

        Assert.Equal(ExitCodes.CantCreate, exitCode);
        Assert.Contains("cannot write", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Study_Quick_WritesEveryFileAndPrintsJson()
    {
        var output = Path.Combine(_state.Path, "out");

        var (exitCode, stdout, stderr) = await InvokeAsync(
            "study", "batch", "--quick", "--models", "builtin:resnet-mini", "--providers", "CPU,CUDA", "--batches", "1,2", "--threads", "1", "-o", output, "--json");

        Assert.True(exitCode == ExitCodes.Ok, stderr);
        Assert.Contains("[6/6]", stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(6, json.RootElement.GetArrayLength());
        foreach (var file in new[] { StudyReportWriter.CsvFile, StudyReportWriter.JsonFile, StudyReportWriter.ReportFile, StudyReportWriter.EnvironmentFile, "ase.png" })
        {
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        }

        var report = await File.ReadAllTextAsync(Path.Combine(output, StudyReportWriter.ReportFile), TestContext.Current.CancellationToken);
        Assert.Contains("| logical cores |", report, StringComparison.Ordinal);
        // The CUDA cells on this GPU-less host: skipped naming what is missing (or, CPU-only build, the build).
        Assert.Matches("not found; searched: |provider unavailable", report);
    }

    [Fact]
    public async Task ConfigCheck_StudiesSection_BadValueNamesTheKey()
    {
        var config = Path.Combine(_state.Path, "config.json");
        await File.WriteAllTextAsync(config, """{ "Studies": [ { "Kind": "Batch", "Batches": [ 0 ] } ] }""", TestContext.Current.CancellationToken);

        var (exitCode, _, stderr) = await InvokeAsync("config", "check", "--config", config);

        Assert.Equal(ExitCodes.Config, exitCode);
        Assert.Contains("Studies:0:Batches", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_StudiesSection_UnknownKeyAndBadCronAreErrors()
    {
        var config = Path.Combine(_state.Path, "config.json");
        await File.WriteAllTextAsync(config, """{ "Studies": [ { "Kind": "Depth", "Widths": [ 64 ] } ] }""", TestContext.Current.CancellationToken);
        var (unknown, _, unknownError) = await InvokeAsync("config", "check", "--config", config);
        await File.WriteAllTextAsync(config, """{ "Studies": [ { "Kind": "Depth", "Cron": "weekly" } ] }""", TestContext.Current.CancellationToken);
        var (cron, _, cronError) = await InvokeAsync("config", "check", "--config", config);
        await File.WriteAllTextAsync(config, """{ "Studies": [ { "Kind": "Depth", "Quick": true, "Cron": "0 0 3 ? * SUN" } ] }""", TestContext.Current.CancellationToken);
        var (valid, _, validError) = await InvokeAsync("config", "check", "--config", config);

        Assert.Equal(ExitCodes.Config, unknown);
        Assert.Contains("Studies:0:Widths", unknownError, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Config, cron);
        Assert.Contains("Studies:0:Cron", cronError, StringComparison.Ordinal);
        Assert.True(valid == ExitCodes.Ok, validError);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BenchDaemonCli.InvokeAsync([.. args, "--set", $"State:Directory={_state.Path}"], output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
