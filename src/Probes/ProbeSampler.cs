using System.Diagnostics;
using BenchDaemon.Probes.Linux;
using BenchDaemon.Probes.Nvml;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Probes;

/// <summary>
/// Reads every probe on its own interval and keeps the latest <see cref="ProbeSnapshot"/>.
/// Exporters read <see cref="Latest"/>, so a scrape never blocks on /proc or /sys.
/// </summary>
public sealed partial class ProbeSampler : BackgroundService
{
    private readonly HostProbe _hostProbe;
    private readonly GpuProbe? _gpuProbe;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ProbeSampler> _logger;
    private readonly TimeSpan _interval;
    private readonly string _procRoot;
    private readonly IProcessFamily? _family;
    private ProbeSnapshot _latest;

    /// <summary>Creates the sampler; nothing is read until <see cref="StartAsync"/>. The CPU of <paramref name="family"/> (the daemon's workers) counts as the daemon's own.</summary>
    public ProbeSampler(HostProbe hostProbe, IOptions<ProbeOptions> options, TimeProvider timeProvider, ILogger<ProbeSampler> logger, GpuProbe? gpuProbe = null, IProcessFamily? family = null)
    {
        _family = family;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _hostProbe = hostProbe;
        _gpuProbe = gpuProbe;
        _timeProvider = timeProvider;
        _logger = logger;
        _interval = options.Value.Interval;
        _procRoot = options.Value.ProcRoot;
        _latest = ProbeSnapshot.Empty(timeProvider.GetUtcNow());
    }

    /// <summary>The most recent snapshot; replaced atomically on every tick.</summary>
    public ProbeSnapshot Latest => Volatile.Read(ref _latest);

    /// <summary>The sampling interval.</summary>
    public TimeSpan Interval => _interval;

    /// <summary>Takes the first sample before the host reports started, so /metrics is never empty.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Tick();
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Tick();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    /// <summary>
    /// Reads every probe once and publishes the snapshot. The background loop calls it on
    /// every tick; one-shot commands call it directly. Never throws: a probe failure must
    /// not stop sampling.
    /// </summary>
    public ProbeSnapshot Tick()
    {
        var previous = Latest;
        var started = Stopwatch.GetTimestamp();
        HostSample host;
        try
        {
            host = _hostProbe.Sample();
        }
#pragma warning disable CA1031 // The sampler loop must survive any probe bug; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogProbeFailed(_logger, "host", ex);
            host = HostSample.Empty(_timeProvider.GetUtcNow());
        }

        GpuProbeSample? gpu = null;
        if (_gpuProbe is not null)
        {
            try
            {
                gpu = _gpuProbe.Sample(initialize: false);
            }
#pragma warning disable CA1031 // As above: a GPU probe bug must not stop host sampling.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogProbeFailed(_logger, "gpu", ex);
                gpu = new GpuProbeSample(false, "the GPU probe failed: " + ex.Message, []);
            }
        }

        double? utilisation = previous.Host.Cpu is { } before && host.Cpu is { } after
            ? CpuUtilization.Between(before.Total, after.Total)
            : null;

        // The daemon's own share over the same interval — its workers included, running or
        // reaped — so guards can tell its canaries from other work.
        var selfSeconds = SelfCpu.ReadWithChildrenSeconds(_procRoot);
        foreach (var member in _family?.Members ?? [])
        {
            selfSeconds += SelfCpu.ReadSeconds(member, _procRoot) ?? 0;
        }

        double? selfShare = null;
        if (selfSeconds is { } now && previous.SelfCpuSeconds is { } then && previous.Host.Cpu is { } b && host.Cpu is { } a && a.Total.Total > b.Total.Total)
        {
            selfShare = Math.Clamp((now - then) / (a.Total.Total - b.Total.Total), 0, 1);
        }

        var snapshot = new ProbeSnapshot(host, utilisation, Stopwatch.GetElapsedTime(started), previous.Sequence + 1, selfShare, selfSeconds, gpu);
        Volatile.Write(ref _latest, snapshot);
        return snapshot;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Probe {Probe} failed; its metrics are missing from this sample")]
    private static partial void LogProbeFailed(ILogger logger, string probe, Exception exception);
}
