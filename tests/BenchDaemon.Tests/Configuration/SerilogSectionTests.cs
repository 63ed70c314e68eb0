using BenchDaemon.Configuration;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace BenchDaemon.Tests.Configuration;

public sealed class SerilogSectionTests
{
    [Fact]
    public void Sinks_AreThoseOfTheShippedAssemblies()
    {
        Assert.Contains("Console", SerilogSection.Sinks);
        Assert.Contains("File", SerilogSection.Sinks);
        Assert.DoesNotContain("Seq", SerilogSection.Sinks);
    }

    [Theory]
    [InlineData("File")]
    [InlineData("console")]
    public void Check_ShippedSink_Passes(string sink)
    {
        SerilogSection.Check(Configuration(("Serilog:Using:0", "Serilog.Sinks.File"), ("Serilog:WriteTo:0:Name", sink), ("Serilog:WriteTo:0:Args:path", "extra.log")));
        SerilogSection.Check(Configuration(("Serilog:WriteTo:0", sink)));
    }

    [Fact]
    public void Check_SinkThisBuildDoesNotShip_FailsAtItsKeyNamingWhatShips()
    {
        var error = Assert.Throws<ConfigurationException>(() => SerilogSection.Check(Configuration(("Serilog:WriteTo:0:Name", "Console"), ("Serilog:WriteTo:1:Name", "Seq"))));

        Assert.Equal("Serilog:WriteTo:1", error.Key);
        Assert.Contains("no sink called 'Seq'", error.Message, StringComparison.Ordinal);
        Assert.Contains("File", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AssemblyThisBuildDoesNotShip_FailsAtItsKey()
    {
        var error = Assert.Throws<ConfigurationException>(() => SerilogSection.Check(Configuration(("Serilog:Using:0", "Serilog.Sinks.Seq"))));

        Assert.Equal("Serilog:Using:0", error.Key);
        Assert.Contains("Serilog.Sinks.File", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SinkWithoutAName_Fails()
    {
        var error = Assert.Throws<ConfigurationException>(() => SerilogSection.Check(Configuration(("Serilog:AuditTo:0:Args:path", "audit.log"))));

        Assert.Equal("Serilog:AuditTo:0", error.Key);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
