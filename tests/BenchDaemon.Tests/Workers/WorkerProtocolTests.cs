using BenchDaemon.Workers;
using BenchDaemon.Workloads.Studies;
using BenchDaemon.Workloads.Tests.Studies;

namespace BenchDaemon.Tests.Workers;

public sealed class WorkerProtocolTests
{
    [Fact]
    public void StudyCellEvent_RoundTrip_DaemonWritesTheSameStudyFiles()
    {
        // A worker measures each cell and sends it as one line; the daemon derives and writes.
        var received = GoldenCells.Raw().Select((cell, i) =>
        {
            var line = WorkerProtocol.Serialize<WorkerEvent>(new StudyCellEvent(i + 1, cell));
            var answer = Assert.IsType<StudyCellEvent>(WorkerProtocol.Deserialize<WorkerEvent>(line));
            Assert.Equal(i + 1, answer.Id);
            return answer.Cell;
        }).ToList();

        var derived = StudyAnalysis.Derive(GoldenCells.Options.Kind, received);

        Assert.Equal(GoldenCells.Golden(GoldenCells.Csv), StudyReportWriter.Csv(derived));
        Assert.Equal(GoldenCells.Golden(GoldenCells.Json), StudyReportWriter.Json(derived));
    }
}
