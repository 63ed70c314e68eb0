using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// The GPU probe's slow loops, each on its own timer so none delays the 1 s tick: the energy
/// counter (<c>Probes:Gpu:EnergyInterval</c>), PCIe and memory health (<c>Probes:Gpu:PcieInterval</c>)
/// GPM profiling metrics (<c>Probes:Gpu:GpmInterval</c>) and, while the probe is down, the initialisation retry (checked every second, paced by the back-off).
/// </summary>
public sealed partial class GpuSampler(GpuProbe probe, TimeProvider timeProvider, ILogger<GpuSampler> logger) : BackgroundService
{
    private static readonly TimeSpan s_retryCheck = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Initialises NVML (blocking start-up work: hundreds of milliseconds on a large machine). It runs
    /// after the probe sampler's first host sample, which therefore never waits for it.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        probe.Start();
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            Loop(probe.EnergyInterval, probe.SampleEnergy, stoppingToken),
            Loop(probe.PcieInterval, probe.SampleSlow, stoppingToken),
            Loop(probe.GpmInterval, probe.SampleGpm, stoppingToken),
            Loop(s_retryCheck, () => probe.RetryIfDue(), stoppingToken));

    private async Task Loop(TimeSpan period, Action tick, CancellationToken stoppingToken)
    {
        // Off the caller's thread: the first reads block for milliseconds.
        await Task.Yield();
        using var timer = new PeriodicTimer(period, timeProvider);
        try
        {
            Run(tick);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Run(tick);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    private void Run(Action tick)
    {
        try
        {
            tick();
        }
#pragma warning disable CA1031 // A background service that throws stops the host: a GPU probe bug must not.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogLoopFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 1220, Level = LogLevel.Error, Message = "GPU probe slow loop failed; it runs again at its next tick")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
