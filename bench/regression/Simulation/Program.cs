using System.Globalization;
using BenchDaemon.Bench.Regression;

// Usage: regression-bench [series-per-scenario] [stationary-runs-per-series]
var invariant = CultureInfo.InvariantCulture;
var series = args.Length > 0 ? int.Parse(args[0], invariant) : 2000;
var stationaryRuns = args.Length > 1 ? int.Parse(args[1], invariant) : 1000;
var report = Simulator.Run(series, stationaryRuns, Console.Error);
Console.Out.Write(report);
