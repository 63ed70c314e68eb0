using BenchDaemon.Telemetry;
using Microsoft.Extensions.Hosting;

namespace BenchDaemon.Hosting;

/// <summary>
/// Creates the <see cref="OtlpMetricSink"/> at start so its instruments exist before the first
/// OTLP export, and the <see cref="OtlpExportMonitor"/> so that the first failed export is counted.
/// </summary>
internal sealed class OtlpSinkActivator(OtlpMetricSink sink, OtlpExportMonitor monitor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(sink);
        GC.KeepAlive(monitor);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
