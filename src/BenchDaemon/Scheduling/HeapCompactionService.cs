using Microsoft.Extensions.Hosting;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Every <see cref="Interval"/>, compacts the daemon's heap if it grew by
/// <see cref="HeapCompactor.GrowthBytes"/> since the last compaction (<see cref="HeapCompactor"/>).
/// </summary>
public sealed class HeapCompactionService(TimeProvider timeProvider) : BackgroundService
{
    /// <summary>How often the heap's growth is checked.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                HeapCompactor.Process.CompactIfGrown();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
