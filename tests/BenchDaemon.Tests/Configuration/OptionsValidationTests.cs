using System.Reflection;
using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.Probes;
using BenchDaemon.Scheduling;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Tests.Configuration;

/// <summary>
/// One validation style: every options type BenchDaemon binds has a source-generated
/// <c>[OptionsValidator]</c> and is a registered <see cref="OptionsSection"/>, and the preflight,
/// the start-up validation and a reload name the same key for the same problem.
/// </summary>
public sealed class OptionsValidationTests : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    private static readonly Assembly[] s_assemblies =
        [typeof(OptionsSection).Assembly, typeof(ProbeOptions).Assembly, typeof(CanaryOptions).Assembly];

    [Fact]
    public void AddBenchDaemon_EveryBoundOptionsType_HasAGeneratedValidatorAndASection()
    {
        var services = Services(Configuration());

        Assert.Empty(MissingValidators(services));
    }

    [Fact]
    public void MissingValidators_OptionsTypeBoundWithoutValidator_IsReported()
    {
        // The check above must be able to fail: an options type bound the old way is caught.
        var services = Services(Configuration());
        services.AddOptions<UnvalidatedOptions>().Bind(Configuration().GetSection("Unvalidated"));

        var missing = MissingValidators(services);

        Assert.Contains(missing, m => m.StartsWith(nameof(UnvalidatedOptions) + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void MissingValidators_ValidateLambdaBesideTheGeneratedValidator_IsReported()
    {
        var services = Services(Configuration());
        services.AddOptions<GuardOptions>().Validate(o => o.QueueLength != 7, "Guards:QueueLength: not 7");

        var missing = MissingValidators(services);

        Assert.Contains(missing, m => m.StartsWith(nameof(GuardOptions) + ": validated also by", StringComparison.Ordinal));
    }

    [Fact]
    public void Assemblies_EveryOptionsValidator_IsSourceGenerated()
    {
        var handWritten = s_assemblies.SelectMany(a => a.GetTypes())
            .Where(t => !t.IsAbstract && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidateOptions<>)))
            .Where(t => t.GetCustomAttribute<OptionsValidatorAttribute>() is null)
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(handWritten);
    }

    [Fact]
    public void Assemblies_EveryTypeWithASectionName_IsARegisteredSection()
    {
        using var provider = Services(Configuration()).BuildServiceProvider();
        var registered = provider.GetServices<OptionsSection>().Select(s => s.OptionsType).ToHashSet();

        var unregistered = s_assemblies.SelectMany(a => a.GetTypes())
            .Where(t => t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .Where(t => !registered.Contains(t))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(unregistered);
    }

    [Theory]
    [InlineData("Guards:DutyFraction", "2", "Guards:DutyFraction: must be between 0 and 1, got '2'")]
    [InlineData("Probes:Gpu:EnergyInterval", "00:00:00.5", "Probes:Gpu:EnergyInterval: must be between 00:00:01 and 01:00:00, got '00:00:00.5'")]
    [InlineData("Probes:Gpu:RetryMax", "00:00:02", "Probes:Gpu:RetryMax: must not be shorter than Probes:Gpu:RetryInitial (00:00:10), got 00:00:02")]
    [InlineData("Regression:MinimumBaseline", "70", "Regression:MinimumBaseline: 70 is larger than BaselineWindow 60")]
    [InlineData("Workers:KillGrace", "01:00:00", "Workers:KillGrace: must be between 00:00:00 and 00:10:00, got '01:00:00'")]
    [InlineData("Cuda:LibraryDirectory", "/nonexistent/cuda", "Cuda:LibraryDirectory: '/nonexistent/cuda' is not a directory")]
    [InlineData("Otlp:Headers:X-Token", "", "Otlp:Headers:X-Token: has no value")]
    [InlineData("Probes:ProcRoot", "", "Probes:ProcRoot: is required")]
    public void Preflight_BadValue_NamesTheKeyTheValueAndTheRange(string key, string value, string expected)
    {
        var configuration = Configuration((key, value));
        using var provider = Services(configuration).BuildServiceProvider();

        var problem = Assert.Throws<ConfigurationException>(() => ConfigurationPreflight.Validate(provider, configuration));

        Assert.StartsWith(expected, problem.Message, StringComparison.Ordinal);
        Assert.Equal(key, problem.Key);
    }

    [Theory]
    [InlineData("Measure:MinDuration", "-00:00:01", "Canaries:2:Measure:MinDuration: must be between 00:00:00 and 01:00:00, got '-00:00:01'")]
    [InlineData("Measure:MinDuration", "00:02:00", "Canaries:2:Measure:MinDuration: 00:02:00 is longer than the budget 00:00:30")]
    [InlineData("Measure:WarmupMaxIterations", "5", "Canaries:2:Measure:WarmupMaxIterations: 5 is less than Canaries:2:Measure:WarmupMinIterations (10)")]
    [InlineData("Measure:WindowAgreement", "0", "Canaries:2:Measure:WindowAgreement: must be between 0 exclusive and 10, got '0'")]
    [InlineData("Tolerance:Relative", "-0.5", "Canaries:2:Tolerance:Relative: must be a finite number, zero or more, got -0.5")]
    [InlineData("MemoryLimitMegabytes", "32", "Canaries:2:MemoryLimitMegabytes: must be between 64 and 1048576, got '32'")]
    [InlineData("Jitter", "2.00:00:00", "Canaries:2:Jitter: must be between 00:00:00 and 1.00:00:00, got '2.00:00:00'")]
    [InlineData("Regression:MinimumEffect", "11", "Canaries:2:Regression:MinimumEffect: 11 is outside (0, 10] (0.05 = 5 %)")]
    public void Preflight_BadCanaryValue_NamesTheElementsKeyTheValueAndTheRange(string setting, string value, string expected)
    {
        // The third canary is the bad one: the key names its index, as the generated validator ran under it.
        var configuration = Configuration(
            ("Canaries:0:Name", "a"), ("Canaries:0:Model", "builtin:bert-tiny"),
            ("Canaries:1:Name", "b"), ("Canaries:1:Model", "builtin:bert-tiny"),
            ("Canaries:2:Name", "c"), ("Canaries:2:Model", "builtin:bert-tiny"), ($"Canaries:2:{setting}", value));
        using var provider = Services(configuration).BuildServiceProvider();

        var problem = Assert.Throws<ConfigurationException>(() => ConfigurationPreflight.Validate(provider, configuration));
        var canaries = provider.GetServices<OptionsSection>().Single(s => s.OptionsType == typeof(CanaryOptions));
        var section = Assert.Throws<ConfigurationException>(() => canaries.Check(configuration));

        Assert.Equal(expected, problem.Message);
        Assert.Equal($"Canaries:2:{setting}", problem.Key);
        Assert.Equal(expected, section.Message);
    }

    [Fact]
    public void CanariesSection_ValidArray_PassesItsCheck()
    {
        var configuration = Configuration(("Canaries:0:Name", "a"), ("Canaries:0:Model", "builtin:bert-tiny"), ("Canaries:0:Measure:MinDuration", "00:00:01"));
        using var provider = Services(configuration).BuildServiceProvider();

        provider.GetServices<OptionsSection>().Single(s => s.OptionsType == typeof(CanaryOptions)).Check(configuration);
        Assert.Single(ConfigurationPreflight.Canaries(configuration));
    }

    [Fact]
    public void Translate_StartUpValidationUnderTheDefaultName_NamesTheSectionKey()
    {
        // A host's ValidateOnStart validates under the default name; the key still names the section.
        using var provider = Services(Configuration(("Guards:QueueLength", "0"), ("Probes:Gpu:ProcessLimit", "0"))).BuildServiceProvider();

        var guards = ConfigurationPreflight.Translate(Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GuardOptions>>().Value));
        var probes = ConfigurationPreflight.Translate(Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ProbeOptions>>().Value));

        Assert.Equal("Guards:QueueLength", guards?.Key);
        Assert.Equal("Probes:Gpu:ProcessLimit", probes?.Key);
    }

    [Fact]
    public void Check_ANewConfiguration_UsesTheRunningValidators()
    {
        // A reload checks the new file with the validators of the running services, not with a
        // second service provider: a validator added to the running ones takes part.
        var services = Services(Configuration());
        services.AddSingleton<IValidateOptions<GuardOptions>>(new RejectQueueLength(7));
        using var provider = services.BuildServiceProvider();
        var guards = provider.GetServices<OptionsSection>().Single(s => s.OptionsType == typeof(GuardOptions));

        guards.Check(Configuration(("Guards:QueueLength", "8")));
        var problem = Assert.Throws<ConfigurationException>(() => guards.Check(Configuration(("Guards:QueueLength", "7"))));

        Assert.Equal("Guards:QueueLength: 7 is refused by the test", problem.Message);
    }

    [Fact]
    public void Check_UnknownKeyPastThePreflight_IsRefusedByTheBinder()
    {
        // The preflight's walk names an unknown key first; the binder refuses one too
        // (ErrorOnUnknownConfiguration), so a section checked on its own never drops a typo.
        using var provider = Services(Configuration()).BuildServiceProvider();
        var guards = provider.GetServices<OptionsSection>().Single(s => s.OptionsType == typeof(GuardOptions));

        var problem = Assert.Throws<ConfigurationException>(() => guards.Check(Configuration(("Guards:DutyFractoin", "0.1"))));

        Assert.Equal("Guards:DutyFractoin: unknown key", problem.Message);
    }

    private IConfigurationRoot Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(
            values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))
                .Append(new("State:Directory", _state.Path))
                .Append(new("Defaults:Canaries", "false")))
            .Build();

    private static ServiceCollection Services(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddBenchDaemon(configuration, LoggingMode.Quiet);
        return services;
    }

    /// <summary>
    /// Options types bound in <paramref name="services"/> that lack a source-generated validator or
    /// a registered <see cref="OptionsSection"/>, as <c>Type: what is missing</c>. A type with
    /// nothing a validator could check (switches only) needs no validator.
    /// </summary>
    private static List<string> MissingValidators(IServiceCollection services)
    {
        var bound = services
            .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0])
            .Distinct()
            .ToList();
        using var provider = services.BuildServiceProvider();
        var sections = provider.GetServices<OptionsSection>().Select(s => s.OptionsType).ToHashSet();
        var missing = new List<string>();
        foreach (var type in bound.Where(t => t.Namespace?.StartsWith("BenchDaemon", StringComparison.Ordinal) == true))
        {
            var validators = services
                .Where(d => d.ServiceType == typeof(IValidateOptions<>).MakeGenericType(type))
                .Select(d => d.ImplementationType ?? d.ImplementationInstance?.GetType())
                .ToList();
            var switchesOnly = type.GetProperties().All(p => p.PropertyType == typeof(bool));
            if (!switchesOnly && !validators.Any(v => v?.GetCustomAttribute<OptionsValidatorAttribute>() is not null))
            {
                missing.Add($"{type.Name}: no [OptionsValidator] validator");
            }

            // A validator of another kind (an OptionsBuilder.Validate lambda, a hand-written class)
            // is a second style, and one the preflight, which validates under the section's name, skips.
            foreach (var other in validators.Where(v => v?.GetCustomAttribute<OptionsValidatorAttribute>() is null))
            {
                missing.Add($"{type.Name}: validated also by {other?.Name}, not a generated validator");
            }

            if (!sections.Contains(type))
            {
                missing.Add($"{type.Name}: not a registered OptionsSection");
            }
        }

        return missing;
    }

    private sealed class RejectQueueLength(int refused) : IValidateOptions<GuardOptions>
    {
        public ValidateOptionsResult Validate(string? name, GuardOptions options) =>
            options.QueueLength == refused ? ValidateOptionsResult.Fail($"Guards:QueueLength: {refused} is refused by the test") : ValidateOptionsResult.Success;
    }

    public sealed class UnvalidatedOptions
    {
        public int Size { get; set; }
    }
}
