using BenchDaemon.Cli;
using BenchDaemon.Workers;

// A worker (canaries, study cells, model generation) is this executable with the internal verb;
// it never goes through the command line or the host.
if (args is [WorkerProtocol.Verb])
{
    return WorkerMain.Run();
}

return await BenchDaemonCli.InvokeAsync(args);
