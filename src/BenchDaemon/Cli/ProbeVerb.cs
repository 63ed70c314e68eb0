using System.Globalization;
using System.Text.Json;
using BenchDaemon.Hosting;
using BenchDaemon.Probes;
using BenchDaemon.Probes.Linux;
using BenchDaemon.Probes.Nvml;
using BenchDaemon.Probes.Nvml.Benchmark;
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

    /// <summary>Default number of timed repetitions of <c>--gpu-benchmark</c>.</summary>
    public const int DefaultIterations = 1000;

    /// <summary>The PCIe sample blocks about 40 ms per GPU (two 20 ms calls), so it is timed fewer times.</summary>
    public const int MaxPcieIterations = 50;

    public static async Task<int> ExecuteAsync(CliContext context, bool json, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (services, _) = CommandServices.Build(context, LoggingMode.Quiet);
        await using (services)
        {
            var sampler = services.GetRequiredService<ProbeSampler>();
            var gpu = services.GetRequiredService<GpuProbe>();
            var timeProvider = services.GetRequiredService<TimeProvider>();
            gpu.Start();
            sampler.Tick();
            // The daemon reads these on their own timers; a one-shot command reads them once.
            gpu.SampleEnergy();
            gpu.SampleSlow();
            await Task.Delay(window, timeProvider, cancellationToken);
            gpu.SampleEnergy();
            var snapshot = sampler.Tick();
            // ONNX Runtime and the GPU libraries are looked at in a worker, never in this process.
            var runtime = await services.GetRequiredService<Workers.WorkerRuntime>().DescribeAsync(cancellationToken);
            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(
                    new ProbeOutput(
                        window.TotalSeconds,
                        snapshot.CpuUtilization,
                        snapshot.Host,
                        GpuJson(snapshot.Gpu),
                        new ProbeRuntimeOutput(runtime.OnnxRuntimeVersion, runtime.Providers, runtime.Error, runtime.Usability)),
                    CliJson.Options));
            }
            else
            {
                var console = context.CreateConsole();
                Render(console, snapshot, window);
                RenderGpus(console, snapshot.Gpu);
                RenderRuntime(console, runtime);
            }
        }

        return ExitCodes.Ok;
    }

    // The workers' ONNX Runtime, whether each GPU provider runs here, and which GPU library was found where.
    private static void RenderRuntime(IAnsiConsole console, Workers.RuntimeDescription runtime)
    {
        console.MarkupLine(Markup.Escape($"ONNX Runtime {runtime.OnnxRuntimeVersion} ({Workloads.Onnx.OnnxRuntimeBuild.Flavor} package); compiled-in providers: {string.Join(", ", runtime.Providers)}"));
        if (runtime.Error is { } error)
        {
            console.MarkupLine(Markup.Escape("  cannot be loaded: " + error));
        }

        if (runtime.Usability is not { } usability)
        {
            return;
        }

        var providers = new Table().Border(TableBorder.Rounded).Title("GPU execution providers");
        foreach (var column in new[] { "provider", "GPU", "usable", "why not" })
        {
            providers.AddColumn(column);
        }

        foreach (var p in usability.Providers)
        {
            providers.AddRow(Markup.Escape(p.Provider), p.Device.ToString(CultureInfo.InvariantCulture), p.Usable ? "yes" : "no", Markup.Escape(p.Usable ? "-" : p.Reason ?? p.Summary ?? "-"));
        }

        console.Write(providers);
        var libraries = new Table().Border(TableBorder.Rounded).Title("GPU libraries");
        foreach (var column in new[] { "library", "what", "found", "where", "loaded" })
        {
            libraries.AddColumn(column);
        }

        foreach (var l in usability.Libraries.Libraries)
        {
            libraries.AddRow(
                Markup.Escape(l.Soname),
                Markup.Escape(l.Description),
                Markup.Escape(l.Path ?? "not found"),
                Markup.Escape(l.Source?.ToString() ?? "-"),
                Markup.Escape(l.Loaded ? "yes" : l.LoadError ?? "-"));
        }

        console.Write(libraries);
        console.MarkupLine(Markup.Escape("Searched: " + usability.Libraries.SearchedText));
    }

    /// <summary><c>benchdaemon probe --gpu-benchmark</c>: the probe's own cost per GPU, in microseconds.</summary>
    public static async Task<int> BenchmarkAsync(CliContext context, bool json, int iterations)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (services, _) = CommandServices.Build(context, LoggingMode.Quiet);
        await using (services)
        {
            var gpu = services.GetRequiredService<GpuProbe>();
            var result = GpuProbeBenchmark.Run(gpu, iterations, Math.Min(iterations, MaxPcieIterations));
            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(result, CliJson.Options));
            }
            else if (!result.Up)
            {
                context.Out.WriteLine($"GPU probe down: {result.Reason}");
            }
            else
            {
                var table = new Table().Border(TableBorder.Rounded).Title("GPU probe cost per GPU (microseconds of wall time)");
                foreach (var column in new[] { "gpu", "operation", "iterations", "median µs", "p99 µs", "min µs", "mean µs" })
                {
                    table.AddColumn(column);
                }

                foreach (var g in result.Gpus)
                {
                    foreach (var cost in g.Costs)
                    {
                        table.AddRow(
                            g.Index.ToString(CultureInfo.InvariantCulture), cost.Operation, cost.Iterations.ToString(CultureInfo.InvariantCulture),
                            Micro(cost.MedianMicroseconds), Micro(cost.P99Microseconds), Micro(cost.MinMicroseconds), Micro(cost.MeanMicroseconds));
                    }
                }

                context.CreateConsole().Write(table);
            }

            return result.Up ? ExitCodes.Ok : ExitCodes.Software;
        }

        static string Micro(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
    }

    private static ProbeGpusOutput? GpuJson(GpuProbeSample? probe) => probe is null ? null : new(
        probe.Up,
        probe.Reason,
        [.. probe.Gpus.Select(g => new ProbeGpuOutput(
            g.Identity.Index,
            g.Identity,
            g.Up,
            g.EnergySource,
            g.Utilization,
            g.MemoryUtilization,
            g.MemoryUsedBytes,
            g.MemoryFreeBytes,
            g.MemoryReservedBytes,
            g.PowerWatts,
            g.EnergyJoules,
            g.Clocks,
            g.MaxClocks,
            g.TemperatureCelsius,
            g.ClockEventReasonNames,
            g.ClockEventReasons,
            g.ViolationSeconds,
            g.PerformanceState,
            g.Pcie,
            g.Ecc,
            g.Processes,
            g.XidErrors))]);

    // The --json output, property for property (camelCase by CliJson); internal, not private:
    // BenchDaemonJsonContext describes them.
    internal sealed record ProbeOutput(double Window, double? CpuUtilization, HostSample Host, ProbeGpusOutput? Gpu, ProbeRuntimeOutput OnnxRuntime);

    internal sealed record ProbeRuntimeOutput(string Version, IReadOnlyList<string> CompiledProviders, string? Error, Workloads.Onnx.ProviderUsabilityReport? Usability);

    internal sealed record ProbeGpusOutput(bool Up, string? Reason, IReadOnlyList<ProbeGpuOutput> Gpus);

    internal sealed record ProbeGpuOutput(
        int Index,
        GpuIdentity Identity,
        bool Up,
        string EnergySource,
        double? Utilization,
        double? MemoryUtilization,
        long? MemoryUsedBytes,
        long? MemoryFreeBytes,
        long? MemoryReservedBytes,
        double? PowerWatts,
        double? EnergyJoules,
        GpuClocks? Clocks,
        GpuClocks? MaxClocks,
        double? TemperatureCelsius,
        IReadOnlyList<string> ClockEventReasons,
        ulong? ClockEventReasonsMask,
        IReadOnlyDictionary<string, double>? ViolationSeconds,
        int? PerformanceState,
        GpuPcieSample? Pcie,
        GpuEccCounts? Ecc,
        IReadOnlyList<GpuProcessMemory>? Processes,
        IReadOnlyDictionary<long, long>? XidErrors);

    private static void RenderGpus(IAnsiConsole console, GpuProbeSample? probe)
    {
        if (probe is null || (!probe.Up && probe.Gpus.Count == 0))
        {
            console.WriteLine($"GPU probe: down ({probe?.Reason ?? "not run"})");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("GPUs (NVML)");
        foreach (var column in new[] { "gpu", "name / uuid", "util", "mem util", "memory used / total", "power / limit", "energy", "SM / mem clock", "temp", "P", "clock events", "PCIe gen x width" })
        {
            table.AddColumn(column);
        }

        static string N(double? value, string format, string unit = "") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) + unit : "–";
        foreach (var g in probe.Gpus)
        {
            var id = g.Identity;
            if (!g.Up)
            {
                table.AddRow(Markup.Escape(id.Index.ToString(CultureInfo.InvariantCulture)), Markup.Escape($"{id.Name} {id.Uuid}"), "LOST", "", "", "", "", "", "", "", "", "");
                continue;
            }

            table.AddRow(
                Markup.Escape(id.Index.ToString(CultureInfo.InvariantCulture)),
                Markup.Escape($"{id.Name}\n{id.Uuid}"),
                N(g.Utilization * 100, "F0", " %"),
                N(g.MemoryUtilization * 100, "F0", " %"),
                $"{N(g.MemoryUsedBytes / 1073741824.0, "F2")} / {N(id.MemoryTotalBytes / 1073741824.0, "F2", " GiB")}",
                $"{N(g.PowerWatts, "F1")} / {N(id.PowerLimitWatts, "F0", " W")}",
                N(g.EnergyJoules, "F1", " J") + (g.EnergySource == "counter" ? string.Empty : " (integrated)"),
                $"{N(g.Clocks?.SmHertz / 1e6, "F0")} / {N(g.Clocks?.MemoryHertz / 1e6, "F0", " MHz")}",
                N(g.TemperatureCelsius, "F0", " °C"),
                g.PerformanceState is { } p ? "P" + p.ToString(CultureInfo.InvariantCulture) : "–",
                Markup.Escape(g.ClockEventReasons is null ? "–" : g.ClockEventReasonNames.Count == 0 ? "none" : string.Join(", ", g.ClockEventReasonNames)),
                g.Pcie is { LinkGeneration: { } gen, LinkWidth: { } width } ? $"{gen} x{width}" : "–");
        }

        console.Write(table);
        if (!probe.Up)
        {
            console.WriteLine($"GPU probe: down ({probe.Reason})");
        }
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
