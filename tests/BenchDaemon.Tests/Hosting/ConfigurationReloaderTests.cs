using System.Collections.Specialized;
using BenchDaemon.Cli;
using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.Scheduling;
using BenchDaemon.Tests.Scheduling;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Quartz.Impl;

namespace BenchDaemon.Tests.Hosting;

/// <summary>
/// A reload checks the new file with the running services' validators (no second service
/// provider), refuses a bad one with the same message <c>config check</c> gives, and applies a
/// good one.
/// </summary>
public sealed class ConfigurationReloaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly CoordinatorHarness _harness = new();

    public void Dispose()
    {
        _harness.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task ReloadAsync_BadThenGoodFile_RefusesNamingTheKeyThenApplies()
    {
        var path = _temp.File("benchdaemon.json", """{ "Defaults": { "Canaries": false } }""");
        var context = new CliContext(path, [$"State:Directory={_temp.Path}"], TextWriter.Null, TextWriter.Null);
        var loaded = ConfigurationLoader.Load(context.ConfigPath, context.Overrides);
        var services = new ServiceCollection();
        services.AddBenchDaemon(loaded.Configuration, LoggingMode.Quiet);
        await using var provider = services.BuildServiceProvider();
        var factory = new StdSchedulerFactory(new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = $"reloader-test-{Guid.NewGuid():N}",
            ["quartz.threadPool.threadCount"] = "1",
        });
        using var scheduling = new CanarySchedulingService(
            factory, _harness.Coordinator, _harness.Sink, _ => Task.FromResult<IReadOnlyList<CanaryDefinition>>([]), TimeProvider.System, NullLogger<CanarySchedulingService>.Instance);
        using var runtime = new WorkerRuntime(RuntimeDescription.Unknown("not asked in this test"));
        var logger = new FakeLogger<ConfigurationReloader>();
        using var reloader = new ConfigurationReloader(loaded, context, provider.GetServices<OptionsSection>(), scheduling, runtime, TimeProvider.System, logger);

        await File.WriteAllTextAsync(path, """{ "Defaults": { "Canaries": false }, "Guards": { "DutyFraction": 2 } }""", TestContext.Current.CancellationToken);
        var refused = await reloader.ReloadAsync("test");
        await File.WriteAllTextAsync(path, """{ "Defaults": { "Canaries": false }, "Guards": { "DutyFraction": 0.5 } }""", TestContext.Current.CancellationToken);
        var applied = await reloader.ReloadAsync("test");

        Assert.False(refused);
        var rejection = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 430);
        Assert.Contains("Guards:DutyFraction: must be between 0 and 1, got '2'", rejection.Message, StringComparison.Ordinal);
        Assert.True(applied);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 431);
        await (await factory.GetScheduler(TestContext.Current.CancellationToken)).Shutdown(TestContext.Current.CancellationToken);
    }
}
