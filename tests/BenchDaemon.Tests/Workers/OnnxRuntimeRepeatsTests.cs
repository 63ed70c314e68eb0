using System.Text.Json;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Tests.Workers;

public sealed class OnnxRuntimeRepeatsTests
{
    private readonly OnnxRuntimeRepeats _repeats = new();

    [Fact]
    public void LevelOf_SameWarningAgain_DebugTheSecondTime()
    {
        Assert.Equal(LogLevel.Warning, _repeats.LevelOf(Line(LogLevel.Warning, "m", "Removing initializer 'w'.")));
        Assert.Equal(LogLevel.Debug, _repeats.LevelOf(Line(LogLevel.Warning, "m", "Removing initializer 'w'.")));
    }

    [Fact]
    public void LevelOf_ErrorDifferingInNumbersOnly_OneLine()
    {
        Assert.Equal(LogLevel.Error, _repeats.LevelOf(Line(LogLevel.Error, "m", "Failed to allocate 1048576 bytes")));
        Assert.Equal(LogLevel.Debug, _repeats.LevelOf(Line(LogLevel.Error, "m", "Failed to allocate 2097152 bytes")));
    }

    [Fact]
    public void LevelOf_SameTextFromAnotherCanaryOrAnotherText_ItsOwnLevel()
    {
        _ = _repeats.LevelOf(Line(LogLevel.Warning, "a", "Some nodes were not assigned to the preferred execution providers."));

        Assert.Equal(LogLevel.Warning, _repeats.LevelOf(Line(LogLevel.Warning, "b", "Some nodes were not assigned to the preferred execution providers.")));
        Assert.Equal(LogLevel.Warning, _repeats.LevelOf(Line(LogLevel.Warning, "a", "Removing initializer 'w'.")));
    }

    [Fact]
    public void LevelOf_InformationCriticalOrAnotherEvent_Untouched()
    {
        foreach (var level in new[] { LogLevel.Information, LogLevel.Critical })
        {
            Assert.Equal(level, _repeats.LevelOf(Line(level, "m", "text")));
            Assert.Equal(level, _repeats.LevelOf(Line(level, "m", "text")));
        }

        var other = Line(LogLevel.Warning, "m", "text") with { EventId = 301 };
        Assert.Equal(LogLevel.Warning, _repeats.LevelOf(other));
        Assert.Equal(LogLevel.Warning, _repeats.LevelOf(other));
    }

    [Fact]
    public void LevelOf_MoreDistinctLinesThanTheCapacity_StartsOver()
    {
        _ = _repeats.LevelOf(Line(LogLevel.Warning, "m", "first"));
        for (var i = 0; i < OnnxRuntimeRepeats.Capacity; i++)
        {
            // Numbers would count as one line: letters only.
            _ = _repeats.LevelOf(Line(LogLevel.Warning, "m", $"line {(char)('a' + (i % 26))}{(char)('a' + (i / 26))}"));
        }

        Assert.Equal(LogLevel.Warning, _repeats.LevelOf(Line(LogLevel.Warning, "m", "first")));
    }

    private static LogEvent Line(LogLevel level, string logId, string text) => new(
        level,
        typeof(OnnxRuntimeLog).FullName!,
        OnnxRuntimeLog.LineEventId,
        "LogLine",
        $"ONNX Runtime ({logId}): {text} [onnxruntime x.cc:1 F]",
        "ONNX Runtime ({LogId}): {Text} [{OrtCategory} {CodeLocation}]",
        new Dictionary<string, JsonElement>
        {
            ["LogId"] = JsonSerializer.SerializeToElement(logId),
            ["Text"] = JsonSerializer.SerializeToElement(text),
        },
        null);
}
