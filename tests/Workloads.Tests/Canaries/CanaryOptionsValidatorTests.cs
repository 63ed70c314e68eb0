using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class CanaryOptionsValidatorTests
{
    [Theory]
    [InlineData(typeof(MeasureOptions), nameof(MeasureOptions.MinDuration), "00:00:00", "MaxRunTime")]
    [InlineData(typeof(MeasureOptions), nameof(MeasureOptions.Budget), "00:00:00", "MaxRunTime")]
    [InlineData(typeof(MeasureOptions), nameof(MeasureOptions.WarmupMaxDuration), "00:00:00", "MaxRunTime")]
    [InlineData(typeof(CanaryOptions), nameof(CanaryOptions.Interval), "MinimumInterval", "MaxInterval")]
    [InlineData(typeof(CanaryOptions), nameof(CanaryOptions.Jitter), "00:00:00", "MaxJitter")]
    public void RangeAttribute_TimeSpanBounds_AreTheNamedLimits(Type options, string property, string minimum, string maximum)
    {
        // An attribute takes its time spans as text: this keeps the text and the limits the rules
        // and the documentation use in step.
        var range = options.GetProperty(property)!.GetCustomAttribute<RangeAttribute>()!;

        Assert.Equal(Limit(minimum), TimeSpan.Parse((string)range.Minimum, CultureInfo.InvariantCulture));
        Assert.Equal(Limit(maximum), TimeSpan.Parse((string)range.Maximum, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Validate_NestedSections_NameTheirKeysUnderTheCanary()
    {
        var options = new CanaryOptions
        {
            Name = "m",
            Matrix = new CanaryMatrixOptions { Models = ["/m.onnx"], Providers = ["CPU", "Cuda11"] },
            Measure = new MeasureOptions { MinDuration = TimeSpan.FromMinutes(2) },
            Tolerance = new ToleranceOptions { Absolute = double.NaN },
            Regression = new CanaryRegressionOptions { MinimumEffect = 0 },
        };

        var problems = CanaryExpander.Validate("Canaries:3", options);

        Assert.Contains(("Canaries:3:Matrix:Providers:1", CanaryExpander.UnknownProvider("Cuda11")), problems);
        Assert.Contains(("Canaries:3:Measure:MinDuration", "00:02:00 is longer than the budget 00:00:30"), problems);
        Assert.Contains(("Canaries:3:Tolerance:Absolute", "must be a finite number, zero or more, got NaN"), problems);
        Assert.Contains(("Canaries:3:Regression:MinimumEffect", "0 is outside (0, 10] (0.05 = 5 %)"), problems);
    }

    [Theory]
    [InlineData(-1, "Canaries:0:Threads", "must be between 0 and 1024, got '-1'")]
    [InlineData(2000, "Canaries:0:Threads", "must be between 0 and 1024, got '2000'")]
    public void Validate_AttributeFailure_NamesTheKeyTheRangeAndTheValue(int threads, string key, string problem)
    {
        var problems = CanaryExpander.Validate("Canaries:0", new CanaryOptions { Name = "a", Model = "/m.onnx", Threads = threads });

        Assert.Equal((key, problem), Assert.Single(problems));
    }

    [Fact]
    public void Validate_MissingName_IsRequiredUnderItsKey()
    {
        var problems = CanaryExpander.Validate("Canaries:1", new CanaryOptions { Name = null!, Model = "/m.onnx" });

        Assert.Equal(("Canaries:1:Name", "is required"), Assert.Single(problems));
    }

    [Fact]
    public void Expand_OneInvalidCanary_IsNotExpandedAndTheOthersAre()
    {
        var (canaries, errors) = CanaryExpander.Expand(
        [
            new CanaryOptions { Name = "good", Model = "/m.onnx" },
            new CanaryOptions { Name = "bad", Model = "/m.onnx", Measure = new MeasureOptions { MinIterations = 0 } },
        ]);

        Assert.Equal(("Canaries:1:Measure:MinIterations", "must be between 1 and 10000000, got '0'"), Assert.Single(errors));
        Assert.Equal("good", Assert.Single(canaries).Name);
    }

    private static TimeSpan Limit(string name) => name switch
    {
        "MaxRunTime" => CanaryExpander.MaxRunTime,
        "MaxInterval" => CanaryExpander.MaxInterval,
        "MaxJitter" => CanaryExpander.MaxJitter,
        "MinimumInterval" => CanarySchedule.MinimumInterval,
        _ => TimeSpan.Parse(name, CultureInfo.InvariantCulture),
    };
}
