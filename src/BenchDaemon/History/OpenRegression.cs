namespace BenchDaemon.History;

/// <summary>A confirmed regression, with the baseline it was judged against frozen.</summary>
/// <param name="StartRunId">The first run of the evidence that opened it.</param>
/// <param name="StartTime">When that run started.</param>
/// <param name="BaselineCenter">Centre of the baseline, natural log of the measured unit, oriented so that larger is worse.</param>
/// <param name="BaselineScale">Between-run scale of the baseline in the same log units.</param>
/// <param name="BaselineRuns">Runs in the baseline.</param>
public sealed record OpenRegression(long StartRunId, DateTimeOffset StartTime, double BaselineCenter, double BaselineScale, int BaselineRuns);
