using BenchDaemon.Scheduling;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Xunit;
using QuartzLogLevel = Quartz.Logging.LogLevel;

namespace BenchDaemon.Tests.Scheduling;

public sealed class QuartzLogBridgeTests
{
    [Fact]
    public void GetLogger_WritesQuartzMessagesToSerilog_WithTheirSourceAndLevel()
    {
        var sink = new CollectingSink();
        using var serilog = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(sink).CreateLogger();
        var log = new QuartzLogBridge(() => serilog).GetLogger("Quartz.Core.QuartzScheduler");

        var failure = new InvalidOperationException("job store down");
        Assert.True(log(QuartzLogLevel.Warn, () => "Job {0} misfired", failure, "default-resnet50-cpu-fp32"));

        var written = Assert.Single(sink.Events);
        Assert.Equal(LogEventLevel.Warning, written.Level);
        Assert.Same(failure, written.Exception);
        Assert.Equal("\"Quartz.Core.QuartzScheduler\"", written.Properties[Constants.SourceContextPropertyName].ToString());
        Assert.Equal("Job \"default-resnet50-cpu-fp32\" misfired", written.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void GetLogger_WithoutAMessage_AnswersWhetherTheLevelIsEnabled_AndBelowItWritesNothing()
    {
        var sink = new CollectingSink();
        using var serilog = new LoggerConfiguration().MinimumLevel.Warning().WriteTo.Sink(sink).CreateLogger();
        var log = new QuartzLogBridge(() => serilog).GetLogger("Quartz.Simpl.RAMJobStore");

        Assert.False(log(QuartzLogLevel.Debug, null));
        Assert.True(log(QuartzLogLevel.Error, null));
        Assert.True(log(QuartzLogLevel.Info, () => "Job added"));
        Assert.Empty(sink.Events);
    }

    [Fact]
    public void GetLogger_ReadsTheLoggerAtEachCall_SoALoggerConfiguredLaterIsUsed()
    {
        var sink = new CollectingSink();
        ILogger current = Serilog.Core.Logger.None;
        var log = new QuartzLogBridge(() => current).GetLogger("Quartz.Impl.StdSchedulerFactory");
        Assert.False(log(QuartzLogLevel.Error, null));

        using var configured = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
        current = configured;
        log(QuartzLogLevel.Error, () => "Scheduler failed");

        Assert.Equal(LogEventLevel.Error, Assert.Single(sink.Events).Level);
    }

    [Theory]
    [InlineData(QuartzLogLevel.Trace, LogEventLevel.Verbose)]
    [InlineData(QuartzLogLevel.Debug, LogEventLevel.Debug)]
    [InlineData(QuartzLogLevel.Info, LogEventLevel.Information)]
    [InlineData(QuartzLogLevel.Warn, LogEventLevel.Warning)]
    [InlineData(QuartzLogLevel.Error, LogEventLevel.Error)]
    [InlineData(QuartzLogLevel.Fatal, LogEventLevel.Fatal)]
    public void ToSerilog_MapsEveryLevel(QuartzLogLevel quartz, LogEventLevel serilog) =>
        Assert.Equal(serilog, QuartzLogBridge.ToSerilog(quartz));

    private sealed class CollectingSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }
}
