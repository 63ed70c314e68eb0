using BenchDaemon.Workloads.Studies;

namespace BenchDaemon.Workloads.Tests.Studies;

/// <summary>
/// The study's raw data files byte for byte (<see cref="GoldenCells"/>): column order, property
/// order, number formatting, quoting, and which values are empty or null. To change them on
/// purpose, write the new files with <c>BENCHDAEMON_WRITE_GOLDEN=DIR</c> and review the diff.
/// </summary>
public sealed class StudyReportWriterTests
{
    [Fact]
    public void Csv_EveryKindOfCell_MatchesGoldenFile()
    {
        var csv = StudyReportWriter.Csv(GoldenCells.Derived());

        Write(GoldenCells.Csv, csv);
        Assert.Equal(GoldenCells.Golden(GoldenCells.Csv), csv);
    }

    [Fact]
    public void Json_EveryKindOfCell_MatchesGoldenFile()
    {
        var json = StudyReportWriter.Json(GoldenCells.Derived());

        Write(GoldenCells.Json, json);
        Assert.Equal(GoldenCells.Golden(GoldenCells.Json), json);
    }

    private static void Write(string file, string content)
    {
        if (Environment.GetEnvironmentVariable("BENCHDAEMON_WRITE_GOLDEN") is { Length: > 0 } directory)
        {
            File.WriteAllText(Path.Combine(directory, file), content);
        }
    }
}
