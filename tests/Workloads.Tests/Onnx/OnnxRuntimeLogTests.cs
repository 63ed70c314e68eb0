using System.Diagnostics;
using System.Text.Json;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Tests.Onnx;

/// <summary>
/// ONNX Runtime's own log through an <see cref="ILogger"/>. The environment, and so the
/// callback, is per process: what needs it runs in a child process (<see cref="OrtLogChild"/>),
/// on a model whose session warns (an initializer no node uses).
/// </summary>
public sealed class OnnxRuntimeLogTests : IDisposable
{
    private const string Warning = "Removing initializer 'unused'";

    private readonly string _root = Directory.CreateTempSubdirectory("benchdaemon-ortlog-").FullName;
    private readonly string _model;

    public OnnxRuntimeLogTests()
    {
        _model = Path.Combine(_root, "unused-initializer.onnx");
        new OnnxModelBuilder("unused-initializer")
            .Input("x", OnnxElementType.Float, "batch", 4)
            .Output("y", OnnxElementType.Float, "batch", 4)
            .Initializer("unused", [4], new float[] { 1, 2, 3, 4 })
            .Node("Relu", ["x"], ["y"])
            .Save(_model);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Install_SessionWarns_TheLineArrivesAsAWarningWithItsPropertiesAndNothingReachesStandardError()
    {
        var child = await RunAsync("Information", "install");

        Assert.Contains($"installed True {OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING}", child.Stdout, StringComparison.Ordinal);
        Assert.Contains("session created", child.Stdout, StringComparison.Ordinal);
        var line = Assert.Single(child.Entries, e => e.Message.Contains(Warning, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal(OnnxRuntimeLog.LineEventId, line.Id);
        Assert.Equal(OrtLogChild.SessionLogId, line.State["LogId"]);
        Assert.StartsWith(Warning, line.State["Text"], StringComparison.Ordinal);
        Assert.Equal("onnxruntime", line.State["OrtCategory"]);
        Assert.Matches(@"^graph\.cc:\d+ ", line.State["CodeLocation"]);
        // Information asks ONNX Runtime for its warnings, not for the INFO lines of every session.
        Assert.All(child.Entries, e => Assert.True(e.Level >= LogLevel.Warning, e.Message));
        Assert.All(child.Entries, e => Assert.DoesNotContain('\x1B', e.Message));
        Assert.Equal(string.Empty, child.Stderr.Trim());
    }

    [Fact]
    public async Task Install_LoggerAtTrace_VerboseAndInfoLinesArriveAtTraceAndInformation()
    {
        var child = await RunAsync("Trace", "install");

        Assert.Contains($"installed True {OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE}", child.Stdout, StringComparison.Ordinal);
        Assert.Contains(child.Entries, e => e.Level == LogLevel.Trace && e.Id == OnnxRuntimeLog.LineEventId);
        Assert.Contains(child.Entries, e => e.Level == LogLevel.Information && e.Id == OnnxRuntimeLog.LineEventId);
        Assert.Contains(child.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(Warning, StringComparison.Ordinal));
        // The environment's own lines (not a session's) carry its log id.
        Assert.Contains(child.Entries, e => e.State["LogId"] == OnnxRuntimeLog.EnvironmentLogId);
        Assert.All(child.Entries, e => Assert.DoesNotContain('\x1B', e.Message));
        Assert.Equal(string.Empty, child.Stderr.Trim());
    }

    [Fact]
    public async Task WithoutInstall_TheSameWarning_IsRawColouredTextOnStandardError()
    {
        // What the tests above assert away: without the callback ONNX Runtime writes to stderr.
        var child = await RunAsync("Information", "none");

        Assert.Contains("session created", child.Stdout, StringComparison.Ordinal);
        Assert.Empty(child.Entries);
        Assert.Contains(Warning, child.Stderr, StringComparison.Ordinal);
        Assert.Contains('\x1B', child.Stderr);
    }

    [Fact]
    public async Task Install_EnvironmentCreatedBefore_SaysSoOnceAtDebugAndTheSessionRuns()
    {
        var child = await RunAsync("Debug", "existing");

        Assert.Contains($"installed False {OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR}", child.Stdout, StringComparison.Ordinal);
        Assert.Contains("session created", child.Stdout, StringComparison.Ordinal);
        var told = Assert.Single(child.Entries);
        Assert.Equal(LogLevel.Debug, told.Level);
        Assert.Equal(304, told.Id);
        Assert.Contains("created before the log could be routed", told.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_LoggerThrows_NativeCodeGoesOn()
    {
        var child = await RunAsync("Information", "throwing");

        Assert.Equal(0, child.ExitCode);
        Assert.Contains("session created", child.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Warning, child.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE, LogLevel.Trace)]
    [InlineData(OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO, LogLevel.Information)]
    [InlineData(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, LogLevel.Warning)]
    [InlineData(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, LogLevel.Error)]
    [InlineData(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, LogLevel.Critical)]
    public void Forward_Severity_LoggedAtTheMatchingLevel(OrtLoggingLevel severity, LogLevel expected)
    {
        var logger = new FakeLogger(new FakeLogCollector(), "ort");

        OnnxRuntimeLog.Forward(logger, severity, "onnxruntime", "m", "x.cc:1 F", "line");

        Assert.Equal(expected, logger.LatestRecord.Level);
        Assert.Equal(OnnxRuntimeLog.LineEventId, logger.LatestRecord.Id.Id);
    }

    [Fact]
    public void Forward_ColouredLineWithTrailingNewline_PlainTextAndStructuredProperties()
    {
        var logger = new FakeLogger(new FakeLogCollector(), "ort");

        OnnxRuntimeLog.Forward(logger, OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "onnxruntime", "", "graph.cc:5809 Clean", "\x1B[0;93mRemoving initializer 'w'.\x1B[m\n");

        var record = logger.LatestRecord;
        Assert.Equal("ONNX Runtime (session): Removing initializer 'w'. [onnxruntime graph.cc:5809 Clean]", record.Message);
        Assert.Contains(record.StructuredState!, p => p.Key == "Text" && p.Value == "Removing initializer 'w'.");
        Assert.Contains(record.StructuredState!, p => p.Key == "CodeLocation" && p.Value == "graph.cc:5809 Clean");
    }

    [Fact]
    public void Forward_BelowTheLoggersLevel_NothingLogged()
    {
        var collector = new FakeLogCollector();
        var logger = new FakeLogger(collector, "ort");
        logger.ControlLevel(LogLevel.Information, false);

        OnnxRuntimeLog.Forward(logger, OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO, "onnxruntime", "m", "x.cc:1 F", "chatter");

        Assert.Equal(0, collector.Count);
    }

    [Theory]
    [InlineData(LogLevel.Trace, OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE)]
    [InlineData(LogLevel.Debug, OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO)]
    [InlineData(LogLevel.Information, OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING)]
    [InlineData(LogLevel.Warning, OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING)]
    [InlineData(LogLevel.Error, OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR)]
    [InlineData(LogLevel.Critical, OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL)]
    public void Severity_LoggersLowestLevel_WhatOnnxRuntimeIsAskedFor(LogLevel minimum, OrtLoggingLevel expected)
    {
        using var factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(minimum).AddProvider(new FakeLoggerProvider()));

        Assert.Equal(expected, OnnxRuntimeLog.Severity(factory.CreateLogger("ort")));
    }

    private async Task<Child> RunAsync(string level, string mode)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", typeof(ChildProgram).Assembly.Location, "ortlog", level, _model, mode])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var output = await stdout;
        var entries = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonSerializer.Deserialize<OrtLogChild.Entry>(l)!)
            .ToList();
        Assert.True(process.ExitCode == 0, $"child exited {process.ExitCode}: {await stderr}");
        return new Child(process.ExitCode, output, await stderr, entries);
    }

    private sealed record Child(int ExitCode, string Stdout, string Stderr, IReadOnlyList<OrtLogChild.Entry> Entries);
}
