using BenchDaemon.Telemetry;
using Microsoft.Extensions.Hosting;

namespace BenchDaemon.Hosting;

/// <summary>Creates the <see cref="OtlpMetricSink"/> at start so its instruments exist before the first OTLP export.</summary>
internal sealed class OtlpSinkActivator(OtlpMetricSink sink) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(sink);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
