using BenchDaemon.Cli;
using BenchDaemon.Scheduling;
using BenchDaemon.Workers;

// A worker (canaries, study cells, model generation) is this executable with the internal verb;
// it never goes through the command line or the host.
if (args is [WorkerProtocol.Verb])
{
    return WorkerMain.Run();
}

// Before anything parses a cron expression (the preflight does): Quartz then logs through Serilog
// without building an adapter by reflection.
QuartzLogBridge.Install();
return await BenchDaemonCli.InvokeAsync(args);
