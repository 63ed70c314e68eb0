using System.Globalization;
using BenchDaemon.Bench.Regression;
using BenchDaemon.Regression;

// Usage: regression-bench [series-per-step-scenario] [stationary-runs-per-series] [confirmation-runs] [suspicion-z] [false-alarm-run-length] [gap-minutes] [persist-runs]
var invariant = CultureInfo.InvariantCulture;
var series = args.Length > 0 ? int.Parse(args[0], invariant) : 1000;
var stationaryRuns = args.Length > 1 ? int.Parse(args[1], invariant) : 1000;
var defaults = new DetectorSettings(0.05);
Simulator.Settings = defaults with
{
    ConfirmationRuns = args.Length > 2 ? int.Parse(args[2], invariant) : defaults.ConfirmationRuns,
    SuspicionZ = args.Length > 3 ? double.Parse(args[3], invariant) : defaults.SuspicionZ,
    FalseAlarmRunLength = args.Length > 4 ? double.Parse(args[4], invariant) : defaults.FalseAlarmRunLength,
    ConfirmationGap = args.Length > 5 ? TimeSpan.FromMinutes(double.Parse(args[5], invariant)) : defaults.ConfirmationGap,
    PersistRuns = args.Length > 6 ? int.Parse(args[6], invariant) : defaults.PersistRuns,
};
var report = Simulator.Run(series, stationaryRuns, Console.Error);
Console.Out.Write(report);
