using System.Globalization;
using System.Text;
using BenchDaemon.Regression;

namespace BenchDaemon.Bench.Regression;

/// <summary>
/// Seeded run series fed to the three gates in the same loop: a scheduled run every
/// <see cref="Cadence"/>, each gate seeing the same scheduled values; the confirming gate's
/// re-runs come, at the times it asks for, from the same noise process (a second seeded stream
/// for the parts that are a run's own). Detection is counted in scheduled runs after the change
/// (1 = the first run at the new level; a regression opened by the re-runs that follow run k
/// counts as k); re-runs do not count as runs but are reported as extra duty.
/// </summary>
internal static class Simulator
{
    /// <summary>The default canary interval.</summary>
    public static readonly TimeSpan Cadence = TimeSpan.FromMinutes(15);

    private const int Learning = 72;
    private const int After = 30;

    /// <summary>The BenchDaemon gate's settings (the daemon's defaults unless run.sh is given others).</summary>
    public static DetectorSettings Settings { get; set; } = new(0.05);

    public static string Run(int seriesCount, int stationaryRuns, TextWriter progress)
    {
        var invariant = CultureInfo.InvariantCulture;
        var output = new StringBuilder();
        output.AppendLine(invariant, $"series per step scenario: {seriesCount}; stationary: {seriesCount / 10} series × {stationaryRuns} runs; a scheduled run every {Cadence.TotalMinutes} minutes; {Learning} runs before a step. BenchDaemon gate: persist {Settings.PersistRuns} scheduled runs, clear after {Settings.ClearRuns}, up to {Settings.ConfirmationRuns} re-runs {Settings.ConfirmationGap.TotalMinutes} minutes apart, suspicion z ≥ {Settings.SuspicionZ}, false-alarm run length {Settings.FalseAlarmRunLength} (step threshold {RegressionDetector.StepThreshold(Settings.FalseAlarmRunLength):F2})");
        output.AppendLine();
        output.AppendLine("### False alarms and 5 % steps by kind of noise");
        output.AppendLine();
        output.AppendLine("| noise | CV | gate | false alarms / 1 000 runs | re-runs / scheduled run | 5 % step within 3 runs | within 10 runs | median delay |");
        output.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|");
        // SIM_KINDS (comma-separated NoiseKind names) limits the first table, for quick iterations.
        var only = Environment.GetEnvironmentVariable("SIM_KINDS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var kind in Enum.GetValues<NoiseKind>().Where(k => only is null || only.Contains(k.ToString())))
        {
            foreach (var cv in new[] { 0.03, 0.10 })
            {
                progress.WriteLine(string.Create(invariant, $"{kind} CV {cv:P0}"));
                var (alarms, reruns, runs) = Stationary(kind, cv, seriesCount / 10, stationaryRuns);
                var steps = Steps(kind, cv, 0.05, seriesCount).ToDictionary(r => r.Name);
                foreach (var name in alarms.Keys)
                {
                    var step = steps[name];
                    output.AppendLine(invariant,
                        $"| {Describe(kind)} | {cv:P0} | {name} | {alarms[name] * 1000.0 / runs:F2} | {reruns[name] / (double)runs:F2} | {step.Within3:P1} | {step.Within10:P1} | {Delay(step.MedianDelay)} |");
                }
            }
        }

        output.AppendLine();
        output.AppendLine("### Other steps (independent noise)");
        output.AppendLine();
        output.AppendLine("| CV | step | gate | within 3 runs | within 10 runs | median delay | false alarms before the step / 1 000 runs | re-runs / scheduled run |");
        output.AppendLine("|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (var (cv, step) in only is null ? new[] { (0.02, 0.02), (0.03, 0.10), (0.10, 0.20), (0.30, 0.50) } : [])
        {
            progress.WriteLine(string.Create(invariant, $"step {step:P0} at CV {cv:P0}"));
            foreach (var row in Steps(NoiseKind.Independent, cv, step, seriesCount))
            {
                output.AppendLine(invariant,
                    $"| {cv:P0} | {step:P0} | {row.Name} | {row.Within3:P1} | {row.Within10:P1} | {Delay(row.MedianDelay)} | {row.FalseAlarms:F2} | {row.Reruns:F2} |");
            }
        }

        return output.ToString();
    }

    private static string Describe(NoiseKind kind) => kind switch
    {
        NoiseKind.Independent => "independent",
        NoiseKind.Correlated => "correlated: half the variance shared by a run and its re-runs",
        NoiseKind.Bursty => "bursty: one run in 30 slowed 15-50 %",
        NoiseKind.LongBursts => "bursts lasting minutes (re-runs share them)",
        NoiseKind.Bimodal => "bimodal: one run in 5 at a 25 % slower level",
        NoiseKind.StickyBimodal => "bimodal, staying 30 min in a mode",
        _ => kind.ToString(),
    };

    private static string Delay(int? delay) => delay is { } d ? d.ToString(CultureInfo.InvariantCulture) : "–";

    private static IGate[] Gates() =>
    [
        new DetectorGate(Settings),
        new FixedThresholdGate(0.05),
        new ZScoreGate(3, 30),
    ];

    private static (Dictionary<string, long> Alarms, Dictionary<string, long> Reruns, long Runs) Stationary(NoiseKind kind, double cv, int series, int runs)
    {
        var alarms = new Dictionary<string, long>();
        var reruns = new Dictionary<string, long>();
        long total = 0;
        for (var s = 0; s < series; s++)
        {
            var (stream, confirmations) = Streams(kind, cv, 1000 + s);
            var moments = new Random(900_000 + s);
            var gates = Gates();
            for (var i = 0; i < Learning + runs; i++)
            {
                var time = DateTimeOffset.UnixEpoch + (Cadence * i);
                var moment = Noise.Normal(moments);
                stream.NewMoment(moment);
                confirmations.NewMoment(moment);
                var value = stream.Value(time, 0.010);
                foreach (var gate in gates)
                {
                    var alarm = gate.Feed(value, time, time + Cadence, at => confirmations.Value(at, 0.010));
                    alarms[gate.Name] = alarms.GetValueOrDefault(gate.Name) + (i >= Learning && alarm ? 1 : 0);
                }
            }

            foreach (var gate in gates)
            {
                reruns[gate.Name] = reruns.GetValueOrDefault(gate.Name) + gate.Reruns;
            }

            total += runs;
        }

        return (alarms, reruns, total);
    }

    private static List<(string Name, double Within3, double Within10, int? MedianDelay, double FalseAlarms, double Reruns)> Steps(NoiseKind kind, double cv, double step, int series)
    {
        var names = Gates().Select(g => g.Name).ToList();
        var delays = names.ToDictionary(n => n, _ => new List<int>());
        var early = names.ToDictionary(n => n, _ => 0L);
        var reruns = names.ToDictionary(n => n, _ => 0L);
        for (var s = 0; s < series; s++)
        {
            var (stream, confirmations) = Streams(kind, cv, 20_000 + s);
            var moments = new Random(950_000 + s);
            var gates = Gates();
            var found = new int?[gates.Length];
            for (var i = 0; i < Learning + After; i++)
            {
                var time = DateTimeOffset.UnixEpoch + (Cadence * i);
                var level = i >= Learning ? 0.010 * (1 + step) : 0.010;
                var moment = Noise.Normal(moments);
                stream.NewMoment(moment);
                confirmations.NewMoment(moment);
                var value = stream.Value(time, level);
                for (var g = 0; g < gates.Length; g++)
                {
                    var alarm = gates[g].Feed(value, time, time + Cadence, at => confirmations.Value(at, level));
                    if (alarm && i < Learning)
                    {
                        early[gates[g].Name]++;
                    }
                    else if (alarm && found[g] is null)
                    {
                        found[g] = i - Learning + 1;
                    }
                }
            }

            for (var g = 0; g < gates.Length; g++)
            {
                delays[gates[g].Name].Add(found[g] ?? int.MaxValue);
                reruns[gates[g].Name] += gates[g].Reruns;
            }
        }

        return names.Select(n =>
        {
            var d = delays[n].Order().ToList();
            var median = d[d.Count / 2];
            return (n, d.Count(x => x <= 3) / (double)d.Count, d.Count(x => x <= 10) / (double)d.Count,
                median == int.MaxValue ? (int?)null : median, early[n] * 1000.0 / (series * (double)(Learning - 30)),
                reruns[n] / (series * (double)(Learning + After)));
        }).ToList();
    }

    // The scheduled runs' noise and the re-runs' noise, from their own seeds (both get the run's
    // moment, for the correlated kind); the time-structured kinds (long bursts, sticky modes)
    // share one process, so runs and re-runs follow the same timeline.
    private static (Noise Runs, Noise Reruns) Streams(NoiseKind kind, double cv, int seed)
    {
        if (kind is NoiseKind.LongBursts or NoiseKind.StickyBimodal)
        {
            // One process: its timeline (bursts, modes) must be the same for runs and re-runs.
            var shared = new Noise(kind, cv, new Random(seed));
            return (shared, shared);
        }

        return (new Noise(kind, cv, new Random(seed)), new Noise(kind, cv, new Random(seed + 500_000)));
    }
}
