using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.TestSupport;
using Microsoft.Extensions.Configuration;
using Serilog;
using Xunit;

namespace BenchDaemon.Tests.Hosting;

public sealed class LoggingSetupTests
{
    [Fact]
    public void Configure_SerilogSection_FindsTheShippedSinkAndFormatterByName()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "user.clef");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = path,
            ["Serilog:WriteTo:0:Args:formatter"] = "Serilog.Formatting.Compact.RenderedCompactJsonFormatter, Serilog.Formatting.Compact",
        }).Build();
        var logger = new LoggerConfiguration();

        LoggingSetup.Configure(logger, configuration, new LogOptions { Console = false, File = false }, LoggingMode.Daemon);
        using (var log = logger.CreateLogger())
        {
            log.Information("Canary {Canary} measured", "tiny");
        }

        var line = Assert.Single(File.ReadAllLines(path));
        Assert.Contains("\"@m\":\"Canary \\\"tiny\\\" measured\"", line, StringComparison.Ordinal);
        Assert.Contains("\"Canary\":\"tiny\"", line, StringComparison.Ordinal);
    }
}
