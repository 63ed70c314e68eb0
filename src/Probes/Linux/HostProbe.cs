using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Reads the host's CPU times, memory, load, pressure stall information and RAPL energy from
/// <c>/proc</c> and <c>/sys</c> (roots from <see cref="ProbeOptions"/>).
/// </summary>
/// <remarks>
/// Every part is read on its own: a file that is missing, unreadable or malformed leaves its part
/// null (or empty) in the sample and is logged once, and once more when it can be read again; the
/// probe never throws. Missing PSI and RAPL are normal (old kernels, virtual machines, unprivileged
/// runs) and are logged at Information. Not thread-safe: one sampler loop calls <see cref="Sample"/>.
/// </remarks>
public sealed class HostProbe
{
    private static readonly string[] s_pressureResources = ["cpu", "memory", "io"];

    private readonly TimeProvider _timeProvider;
    private readonly ILogger<HostProbe> _logger;
    private readonly string _statPath;
    private readonly string _memInfoPath;
    private readonly string _loadAvgPath;
    private readonly string _pressureDirectory;
    private readonly string[] _pressurePaths;
    private readonly Func<string, IReadOnlyList<PressureStat>>[] _pressureParsers;
    private readonly RaplReader _raplReader;
    private readonly RaplEnergyAccumulator _energy = new();
    private readonly Dictionary<(string Source, string Reason), long> _errors = [];

    private PartState _cpuState;
    private PartState _memoryState;
    private PartState _loadState;
    private PartState _pressureDirectoryState;
    private readonly PartState[] _pressureStates;
    private PartState _raplState;
    private bool _raplDiscoveryLogged;

    public HostProbe(IOptions<ProbeOptions> options, TimeProvider timeProvider, ILogger<HostProbe> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);

        var value = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _statPath = Path.Combine(value.ProcRoot, "stat");
        _memInfoPath = Path.Combine(value.ProcRoot, "meminfo");
        _loadAvgPath = Path.Combine(value.ProcRoot, "loadavg");
        _pressureDirectory = Path.Combine(value.ProcRoot, "pressure");
        _pressurePaths = Array.ConvertAll(s_pressureResources, resource => Path.Combine(_pressureDirectory, resource));
        _pressureParsers = Array.ConvertAll(s_pressureResources,
            resource => new Func<string, IReadOnlyList<PressureStat>>(text => PressureParser.Parse(resource, text)));
        _pressureStates = new PartState[s_pressureResources.Length];
        _raplReader = new RaplReader(value.SysRoot);
    }

    private enum PartState
    {
        Unknown,
        Readable,
        Failing,
    }

    /// <summary>Reads every part once.</summary>
    /// <returns>The sample, stamped with the time provider's current UTC time.</returns>
    public HostSample Sample()
    {
        var timestamp = _timeProvider.GetUtcNow();
        var cpu = ReadPart(ref _cpuState, "CPU times", "stat", _statPath, static text => ProcStatParser.Parse(text));
        var memory = ReadPart(ref _memoryState, "memory figures", "meminfo", _memInfoPath, static text => MemInfoParser.Parse(text));
        var load = ReadPart(ref _loadState, "load averages", "loadavg", _loadAvgPath, static text => LoadAvgParser.Parse(text));
        var pressure = ReadPressure();
        var energy = ReadEnergy();
        return new HostSample(timestamp, cpu, memory, load, pressure, energy)
        {
            Errors = _errors.Count == 0 ? [] : [.. _errors.Select(e => new HostProbeError(e.Key.Source, e.Key.Reason, e.Value))],
        };
    }

    // One failed read of a source: missing, unreadable or malformed (benchdaemon_host_probe_errors_total).
    private void CountError(string source, string reason) =>
        _errors[(source, reason)] = _errors.GetValueOrDefault((source, reason)) + 1;

    private List<PressureStat> ReadPressure()
    {
        if (!Directory.Exists(_pressureDirectory))
        {
            if (MarkFailing(ref _pressureDirectoryState))
            {
                Log.PressureNotAvailable(_logger, _pressureDirectory);
            }

            return [];
        }

        if (MarkReadable(ref _pressureDirectoryState))
        {
            Log.PartRecovered(_logger, "Pressure stall information", _pressureDirectory);
        }

        var pressure = new List<PressureStat>(2 * s_pressureResources.Length);
        for (int i = 0; i < s_pressureResources.Length; i++)
        {
            var stats = ReadPart(ref _pressureStates[i], "pressure stall information", "pressure", _pressurePaths[i], _pressureParsers[i]);
            if (stats is not null)
            {
                pressure.AddRange(stats);
            }
        }

        return pressure;
    }

    private EnergyCounter[] ReadEnergy()
    {
        var result = _raplReader.Read();
        if (!_raplDiscoveryLogged)
        {
            _raplDiscoveryLogged = true;
            var domains = _raplReader.Domains;
            if (domains.Count == 0)
            {
                Log.RaplNotFound(_logger, _raplReader.PowercapPath);
            }
            else
            {
                Log.RaplFound(_logger, domains.Count, domains);
            }
        }

        if (result.Failures.Count > 0)
        {
            // Permission denied is the normal state of an unprivileged daemon (energy_uj is root-only
            // since kernel 5.10), logged once at Information, not an error to count every tick.
            if (result.Failures[0].Kind != RaplReadFailureKind.AccessDenied)
            {
                CountError("rapl", result.Failures[0].Kind == RaplReadFailureKind.Malformed ? "malformed" : "unreadable");
            }

            if (MarkFailing(ref _raplState))
            {
                var failure = result.Failures[0];
                if (failure.Kind == RaplReadFailureKind.AccessDenied)
                {
                    Log.RaplAccessDenied(_logger, failure.Path);
                }
                else
                {
                    Log.RaplUnreadable(_logger, failure.Path, failure.Message);
                }
            }
        }
        else if (MarkReadable(ref _raplState))
        {
            Log.PartRecovered(_logger, "RAPL energy counters", _raplReader.PowercapPath);
        }

        if (result.Readings.Count == 0)
        {
            return [];
        }

        var counters = new EnergyCounter[result.Readings.Count];
        for (int i = 0; i < counters.Length; i++)
        {
            var reading = result.Readings[i];
            counters[i] = new EnergyCounter(
                reading.Domain,
                _energy.Update(reading.Domain, reading.EnergyMicrojoules, reading.MaxEnergyRangeMicrojoules));
        }

        return counters;
    }

    private T? ReadPart<T>(ref PartState state, string part, string source, string path, Func<string, T> parse)
        where T : class
    {
        try
        {
            // Small kernel-generated files; their length is unknown until read, which ReadAllText handles.
            var value = parse(File.ReadAllText(path));
            if (MarkReadable(ref state))
            {
                Log.PartRecovered(_logger, part, path);
            }

            return value;
        }
        // Deliberately narrow: these are what a missing, forbidden or changed file raises; anything
        // else is a bug and should surface.
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            CountError(source, ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "missing",
                FormatException => "malformed",
                _ => "unreadable",
            });
            if (MarkFailing(ref state))
            {
                // The message says it all: no stack trace for a file that is missing or malformed.
                Log.PartUnreadable(_logger, part, path, ex.Message);
            }

            return null;
        }
    }

    // true when the part starts failing (log it); false while it keeps failing.
    private static bool MarkFailing(ref PartState state)
    {
        bool changed = state != PartState.Failing;
        state = PartState.Failing;
        return changed;
    }

    // true when a failing part recovers (log it); false on the first success and while it stays readable.
    private static bool MarkReadable(ref PartState state)
    {
        bool recovered = state == PartState.Failing;
        state = PartState.Readable;
        return recovered;
    }
}
