using System.Globalization;
using System.Text.Json;
using BenchDaemon.Hosting;
using BenchDaemon.Probes;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace BenchDaemon.Cli;

/// <summary>
/// <c>benchdaemon probe</c>: read every probe, wait <c>--window</c>, read again (utilisation
/// needs two readings), and print the second sample.
/// </summary>
public static class ProbeVerb
{
    /// <summary>Default time between the two readings.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(1);

    public static async Task<int> ExecuteAsync(CliContext context, bool json, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (services, _) = CommandServices.Build(context, LoggingMode.Quiet);
        await using (services)
        {
            var sampler = services.GetRequiredService<ProbeSampler>();
            var timeProvider = services.GetRequiredService<TimeProvider>();
            sampler.Tick();
            await Task.Delay(window, timeProvider, cancellationToken);
            var snapshot = sampler.Tick();
            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(
                    new { window = window.TotalSeconds, cpuUtilization = snapshot.CpuUtilization, host = snapshot.Host },
                    CliJson.Options));
            }
            else
            {
                Render(context.CreateConsole(), snapshot, window);
            }
        }

        return ExitCodes.Ok;
    }

    private static void Render(IAnsiConsole console, ProbeSnapshot snapshot, TimeSpan window)
    {
        var host = snapshot.Host;
        var table = new Table().Border(TableBorder.Rounded).Title($"host probe at {host.Timestamp:u}");
        table.AddColumn("probe");
        table.AddColumn("metric");
        table.AddColumn(new TableColumn("value").RightAligned());

        void Row(string probe, string metric, string value) => table.AddRow(Markup.Escape(probe), Markup.Escape(metric), Markup.Escape(value));
        static string Bytes(ulong bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0 / 1024.0:F2} GiB");
        static string Number(double value, string format = "F2") => value.ToString(format, CultureInfo.InvariantCulture);

        if (host.Cpu is { } cpu)
        {
            Row("cpu", "logical CPUs", cpu.Cores.Count.ToString(CultureInfo.InvariantCulture));
            Row("cpu", $"utilisation over {window.TotalSeconds:0.###} s", snapshot.CpuUtilization is { } u ? Number(u * 100, "F1") + " %" : "n/a");
            foreach (var (mode, seconds) in cpu.Total.Modes())
            {
                Row("cpu", $"{mode} seconds", Number(seconds));
            }
        }
        else
        {
            Row("cpu", "/proc/stat", "unreadable");
        }

        if (host.Memory is { } memory)
        {
            Row("memory", "total", Bytes(memory.TotalBytes));
            Row("memory", "available", Bytes(memory.AvailableBytes));
            Row("memory", "used", Bytes(memory.UsedBytes));
            Row("memory", "swap free / total", $"{Bytes(memory.SwapFreeBytes)} / {Bytes(memory.SwapTotalBytes)}");
        }
        else
        {
            Row("memory", "/proc/meminfo", "unreadable");
        }

        if (host.Load is { } load)
        {
            Row("load", "1m / 5m / 15m", $"{Number(load.Load1)} / {Number(load.Load5)} / {Number(load.Load15)}");
        }

        if (host.Pressure.Count == 0)
        {
            Row("pressure", "/proc/pressure", "not available (kernel without PSI)");
        }

        foreach (var pressure in host.Pressure)
        {
            Row("pressure", $"{pressure.Resource} {pressure.Kind} avg10 / total", $"{Number(pressure.Avg10 * 100)} % / {Number(pressure.TotalSeconds)} s");
        }

        if (host.Energy.Count == 0)
        {
            Row("energy", "RAPL", "not available (no readable powercap counters)");
        }

        foreach (var energy in host.Energy)
        {
            Row("energy", $"{energy.Domain} joules", Number(energy.Joules));
        }

        console.Write(table);
    }
}
