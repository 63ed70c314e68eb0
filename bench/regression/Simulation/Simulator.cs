using System.Globalization;
using System.Text;
using BenchDaemon.Regression;

namespace BenchDaemon.Bench.Regression;

/// <summary>
/// Seeded log-normal run series fed to the three gates in the same loop (each gate sees the
/// same values; re-runs of the confirming gate come from a second seeded stream of the same
/// level). Detection is counted in scheduled runs after the change (1 = the first run at the
/// new level); re-runs do not count as runs but are reported as extra duty.
/// </summary>
internal static class Simulator
{
    private const int Learning = 72;
    private const int After = 30;

    /// <summary>Share of a run's log variance that its immediate re-runs share with it (the correlated variant).</summary>
    private const double MomentShare = 0.5;

    /// <summary>The BenchDaemon gate's settings (the daemon's defaults unless run.sh is given k and the suspicion z).</summary>
    public static DetectorSettings Settings { get; set; } = new(0.05);

    public static string Run(int seriesCount, int stationaryRuns, TextWriter progress)
    {
        var invariant = CultureInfo.InvariantCulture;
        var output = new StringBuilder();
        output.AppendLine(invariant, $"series per scenario: {seriesCount}; stationary runs per series: {stationaryRuns}; learning runs before a step: {Learning}; BenchDaemon gate: {Settings.ConfirmationRuns} confirmation re-runs, suspicion z ≥ {Settings.SuspicionZ}, false-alarm run length {Settings.FalseAlarmRunLength}");
        output.AppendLine();
        output.AppendLine("### False alarms on stationary series (per 1 000 runs)");
        output.AppendLine();
        output.AppendLine("| CV | gate | false alarms / 1 000 runs | re-runs / 1 000 runs |");
        output.AppendLine("|---|---|---:|---:|");
        foreach (var cv in new[] { 0.02, 0.03, 0.10, 0.30 })
        {
            progress.WriteLine(string.Create(invariant, $"stationary CV {cv:P0}"));
            var (alarms, reruns, runs) = Stationary(cv, seriesCount / 10, stationaryRuns, 0);
            foreach (var (name, count) in alarms)
            {
                output.AppendLine(invariant, $"| {cv:P0} | {name} | {count * 1000.0 / runs:F3} | {reruns[name] * 1000.0 / runs:F1} |");
            }
        }

        output.AppendLine();
        output.AppendLine("### Steps: detected within 3 runs, and delay in runs after the change");
        output.AppendLine();
        output.AppendLine("| CV | step | gate | within 3 runs | within 10 runs | median delay | false alarms before the step / 1 000 runs | re-runs / 1 000 runs |");
        output.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|");
        foreach (var (cv, step) in new[] { (0.03, 0.05), (0.02, 0.02), (0.03, 0.10), (0.10, 0.20), (0.30, 0.50) })
        {
            progress.WriteLine(string.Create(invariant, $"step {step:P0} at CV {cv:P0}"));
            foreach (var row in Steps(cv, step, seriesCount, 0))
            {
                output.AppendLine(invariant,
                    $"| {cv:P0} | {step:P0} | {row.Name} | {row.Within3:P1} | {row.Within10:P1} | {(row.MedianDelay is { } d ? d.ToString(invariant) : "-")} | {row.FalseAlarms:F2} | {row.Reruns:F0} |");
            }
        }

        output.AppendLine();
        output.AppendLine(invariant, $"### Correlated re-runs: {MomentShare:P0} of each run's log variance is shared with its immediate re-runs");
        output.AppendLine();
        output.AppendLine("| CV | scenario | gate | false alarms / 1 000 runs | within 3 runs | median delay | re-runs / 1 000 runs |");
        output.AppendLine("|---|---|---|---:|---:|---:|---:|");
        foreach (var cv in new[] { 0.03, 0.10 })
        {
            progress.WriteLine(string.Create(invariant, $"correlated stationary CV {cv:P0}"));
            var (alarms, reruns, runs) = Stationary(cv, seriesCount / 10, stationaryRuns, MomentShare);
            foreach (var (name, count) in alarms)
            {
                output.AppendLine(invariant, $"| {cv:P0} | stationary | {name} | {count * 1000.0 / runs:F3} | - | - | {reruns[name] * 1000.0 / runs:F0} |");
            }
        }

        progress.WriteLine("correlated step 5 % at CV 3 %");
        foreach (var row in Steps(0.03, 0.05, seriesCount, MomentShare))
        {
            output.AppendLine(invariant,
                $"| 3 % | 5 % step | {row.Name} | - | {row.Within3:P1} | {(row.MedianDelay is { } d ? d.ToString(invariant) : "-")} | {row.Reruns:F0} |");
        }

        return output.ToString();
    }

    private static IGate[] Gates() =>
    [
        new DetectorGate(Settings),
        new FixedThresholdGate(0.05),
        new ZScoreGate(3, 30),
    ];

    private static (Dictionary<string, long> Alarms, Dictionary<string, long> Reruns, long Runs) Stationary(double cv, int series, int runs, double share)
    {
        var alarms = new Dictionary<string, long>();
        var reruns = new Dictionary<string, long>();
        long total = 0;
        for (var s = 0; s < series; s++)
        {
            var values = new Random(1000 + s);
            var confirmations = new Random(5000 + s);
            var sigma = Sigma(cv);
            var gates = Gates();
            for (var i = 0; i < Learning + runs; i++)
            {
                var moment = Normal(values);
                var value = Draw(values, 0.010, sigma, share, moment);
                foreach (var gate in gates)
                {
                    var alarm = gate.Feed(value, () => Draw(confirmations, 0.010, sigma, share, moment));
                    if (i >= Learning && alarm)
                    {
                        alarms[gate.Name] = alarms.GetValueOrDefault(gate.Name) + 1;
                    }
                }
            }

            foreach (var gate in gates)
            {
                alarms.TryAdd(gate.Name, 0);
                reruns[gate.Name] = reruns.GetValueOrDefault(gate.Name) + gate.Reruns;
            }

            total += runs;
        }

        return (alarms, reruns, total);
    }

    private static List<(string Name, double Within3, double Within10, int? MedianDelay, double FalseAlarms, double Reruns)> Steps(double cv, double step, int series, double share)
    {
        var names = Gates().Select(g => g.Name).ToList();
        var delays = names.ToDictionary(n => n, _ => new List<int>());
        var early = names.ToDictionary(n => n, _ => 0L);
        var reruns = names.ToDictionary(n => n, _ => 0L);
        var sigma = Sigma(cv);
        for (var s = 0; s < series; s++)
        {
            var values = new Random(20_000 + s);
            var confirmations = new Random(60_000 + s);
            var gates = Gates();
            var found = new int?[gates.Length];
            for (var i = 0; i < Learning + After; i++)
            {
                var level = i >= Learning ? 0.010 * (1 + step) : 0.010;
                var moment = Normal(values);
                var value = Draw(values, level, sigma, share, moment);
                for (var g = 0; g < gates.Length; g++)
                {
                    var alarm = gates[g].Feed(value, () => Draw(confirmations, level, sigma, share, moment));
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
                reruns[n] * 1000.0 / (series * (double)(Learning + After)));
        }).ToList();
    }

    // Log-normal with coefficient of variation cv: sigma² = ln(1 + cv²).
    private static double Sigma(double cv) => Math.Sqrt(Math.Log(1 + (cv * cv)));

    // The median of the run values is the level; a share of the log variance comes from the
    // moment's noise, which a scheduled run and its immediate re-runs have in common.
    private static double Draw(Random random, double level, double sigma, double share, double moment) =>
        level * Math.Exp(sigma * ((Math.Sqrt(share) * moment) + (Math.Sqrt(1 - share) * Normal(random))));

    // Box–Muller.
    private static double Normal(Random random)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
