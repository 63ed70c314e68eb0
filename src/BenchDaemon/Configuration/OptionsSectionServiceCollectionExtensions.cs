using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>Registers BenchDaemon's configuration sections, each with its source-generated validator.</summary>
public static class OptionsSectionServiceCollectionExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="path"/> (unknown keys are errors),
    /// validates it with <typeparamref name="TValidator"/> at start, and registers the section.
    /// </summary>
    public static IServiceCollection AddOptionsSection<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string path)
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsWithValidateOnStart<TOptions, TValidator>()
            .Bind(configuration.GetSection(path), binder => binder.ErrorOnUnknownConfiguration = true);
        return services.AddOptionsSection<TOptions>(path);
    }

    /// <summary>
    /// Registers the section of options that a library binds and validates itself
    /// (<c>AddProbes</c>, <c>AddWorkers</c>), so the preflight and a reload check it too.
    /// </summary>
    public static IServiceCollection AddOptionsSection<TOptions>(this IServiceCollection services, string path)
        where TOptions : class, new()
    {
        services.AddSingleton(sp => new OptionsSection(path, typeof(TOptions), configuration => Check(
            path,
            configuration,
            sp.GetServices<IPostConfigureOptions<TOptions>>(),
            sp.GetServices<IValidateOptions<TOptions>>())));
        return services;
    }

    /// <summary>
    /// Registers an array section (<c>Canaries</c>) whose elements bind to <typeparamref name="TOptions"/>,
    /// each checked by <paramref name="validate"/> — the element type's generated validator — under
    /// its key (<c>Canaries:2</c>). The section is not an <c>IOptions</c>: its elements are expanded
    /// by their owner, which checks what needs more than the options (files, other elements).
    /// </summary>
    public static IServiceCollection AddOptionsArraySection<TOptions>(
        this IServiceCollection services,
        string path,
        Func<string, TOptions, IReadOnlyList<(string Key, string Problem)>> validate)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(validate);
        services.AddSingleton(new OptionsSection(path, typeof(TOptions), configuration => CheckArray(path, configuration, validate), array: true));
        return services;
    }

    private static void CheckArray<TOptions>(string path, IConfiguration configuration, Func<string, TOptions, IReadOnlyList<(string Key, string Problem)>> validate)
        where TOptions : class, new()
    {
        var elements = new List<TOptions>();
        Bind(configuration.GetSection(path), elements, path);
        for (var i = 0; i < elements.Count; i++)
        {
            if (validate($"{path}:{i.ToString(CultureInfo.InvariantCulture)}", elements[i]) is [var first, ..])
            {
                throw new ConfigurationException(first.Key, first.Problem);
            }
        }
    }

    // What OptionsFactory does, on a configuration that is not (yet) the running one: bind,
    // post-configure, validate. The options are named after the section, so every message of
    // the generated validators names its key ("Probes.Gpu.EnergyInterval").
    private static void Check<TOptions>(
        string path,
        IConfiguration configuration,
        IEnumerable<IPostConfigureOptions<TOptions>> postConfigures,
        IEnumerable<IValidateOptions<TOptions>> validators)
        where TOptions : class, new()
    {
        var options = new TOptions();
        Bind(configuration.GetSection(path), options, path);

        foreach (var postConfigure in postConfigures)
        {
            postConfigure.PostConfigure(Options.DefaultName, options);
        }

        foreach (var validator in validators)
        {
            if (validator.Validate(path, options) is { Failed: true } result)
            {
                throw ConfigurationPreflight.Keyed(path, typeof(TOptions), result.Failures.First(), configuration);
            }
        }
    }

    private static void Bind(IConfigurationSection section, object options, string path)
    {
        try
        {
            section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains(nameof(BinderOptions.ErrorOnUnknownConfiguration), StringComparison.Ordinal))
        {
            // The binder names the type and the property ('Listn'), not the key: find the key.
            var key = section.AsEnumerable().Select(p => p.Key)
                .Where(k => ex.Message.Contains($"'{k[(k.LastIndexOf(':') + 1)..]}'", StringComparison.Ordinal))
                .MinBy(k => k.Length) ?? path;
            throw new ConfigurationException(key, "unknown key", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw ConfigurationPreflight.Translate(ex) ?? new ConfigurationException(path, ex.Message, ex);
        }
    }
}
