using Microsoft.Extensions.Hosting;

namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// The GPU probe's slow loops, each on its own timer so none delays the 1 s tick: the energy
/// counter (<c>Probes:Gpu:EnergyInterval</c>), PCIe and memory health (<c>Probes:Gpu:PcieInterval</c>)
/// and, while the probe is down, the initialisation retry (checked every second, paced by the back-off).
/// </summary>
public sealed class GpuSampler(GpuProbe probe, TimeProvider timeProvider) : BackgroundService
{
    private static readonly TimeSpan s_retryCheck = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            Loop(probe.EnergyInterval, probe.SampleEnergy, stoppingToken),
            Loop(probe.PcieInterval, probe.SampleSlow, stoppingToken),
            Loop(s_retryCheck, () => probe.RetryIfDue(), stoppingToken));

    private async Task Loop(TimeSpan period, Action tick, CancellationToken stoppingToken)
    {
        // Off the caller's thread: the first reads block for milliseconds.
        await Task.Yield();
        using var timer = new PeriodicTimer(period, timeProvider);
        try
        {
            tick();
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                tick();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }
}
