using BenchDaemon.Cli;

return await BenchDaemonCli.InvokeAsync(args);
