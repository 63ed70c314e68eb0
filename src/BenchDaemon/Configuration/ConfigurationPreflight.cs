using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Studies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>
/// Checks a configuration before anything starts or a reload applies it, and turns the first
/// problem into a <see cref="ConfigurationException"/> that names the key. The options types
/// validate themselves (attributes, their own rules, a source-generated validator each; see
/// <see cref="OptionsSection"/>); what is left here is what the framework cannot do: unknown
/// sections and the shape of every value (the binder drops array elements it cannot convert and
/// takes any number for an enum), key paths in the validators' messages, cron expressions, and
/// the canary expansion (files on disk, matrices, names across canaries).
/// </summary>
public static partial class ConfigurationPreflight
{
    private static readonly StudyOptionsValidator s_studyValidator = new();

    /// <summary>Top-level sections read by libraries rather than by an options class.</summary>
    private static readonly string[] s_librarySections = [SerilogSection.Name];

    /// <summary>
    /// Checks <paramref name="configuration"/> with the sections registered in <paramref name="services"/>;
    /// see <see cref="Validate(IEnumerable{OptionsSection}, IConfiguration)"/>.
    /// </summary>
    public static IReadOnlyList<(string Key, string Problem)> Validate(IServiceProvider services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        return Validate(services.GetServices<OptionsSection>(), configuration);
    }

    /// <summary>
    /// Throws <see cref="ConfigurationException"/> for the first problem found; returns the
    /// warnings, <c>(key, message)</c>, that leave the configuration valid.
    /// </summary>
    public static IReadOnlyList<(string Key, string Problem)> Validate(IEnumerable<OptionsSection> sections, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(configuration);
        var registered = sections.ToList();
        CheckUnknownKeys(configuration, registered);
        SerilogSection.Check(configuration);
        CheckPaths(configuration);
        foreach (var section in registered)
        {
            section.Check(configuration);
        }

        var warnings = new List<(string Key, string Problem)>();
        _ = Canaries(configuration, warnings: warnings);
        _ = Studies(configuration);
        return warnings;
    }

    /// <summary>
    /// One element of <c>Studies</c> checked by its generated validator under its key
    /// (<c>Studies:1</c>): the check of the registered <c>Studies</c> section.
    /// </summary>
    public static IReadOnlyList<(string Key, string Problem)> Study(string key, StudyOptions study)
    {
        ArgumentNullException.ThrowIfNull(study);
        return [.. Probes.OptionsMember.Failures(s_studyValidator.Validate(key, study), key, study)];
    }

    /// <summary>
    /// Binds and checks the <c>Studies</c> array (studies the daemon runs on a schedule) and
    /// throws <see cref="ConfigurationException"/> for the first problem, naming its key.
    /// </summary>
    public static IReadOnlyList<StudyOptions> Studies(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        List<StudyOptions> studies;
        try
        {
            studies = configuration.GetSection(StudyOptions.SectionName).Get<List<StudyOptions>>() ?? [];
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }

        for (var i = 0; i < studies.Count; i++)
        {
            var key = $"{StudyOptions.SectionName}:{i.ToString(CultureInfo.InvariantCulture)}";
            if (s_studyValidator.Validate(key, studies[i]) is { Failed: true } result)
            {
                throw Keyed(key, typeof(StudyOptions), result.Failures.First(), configuration);
            }

            if (!string.IsNullOrWhiteSpace(studies[i].Cron) && CronExpressions.Check(studies[i].Cron!) is { } cronProblem)
            {
                throw new ConfigurationException($"{key}:Cron", cronProblem);
            }
        }

        foreach (var duplicate in studies.GroupBy(s => s.EffectiveName, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            throw new ConfigurationException(StudyOptions.SectionName, $"study name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique");
        }

        return studies;
    }

    /// <summary>
    /// Binds and expands the <c>Canaries</c> array — or, when it names none and
    /// <c>Defaults:Canaries</c> is true, the built-in defaults for <paramref name="usability"/> —
    /// and throws <see cref="ConfigurationException"/> for the first problem. Warnings (a
    /// combination that runs, but likely not as meant) are added to <paramref name="warnings"/>.
    /// </summary>
    public static IReadOnlyList<CanaryDefinition> Canaries(IConfiguration configuration, ProviderUsabilityReport? usability = null, ICollection<(string Key, string Problem)>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        List<CanaryOptions> options;
        bool useDefaults;
        try
        {
            options = configuration.GetSection(CanaryOptions.SectionName).Get<List<CanaryOptions>>() ?? [];
            useDefaults = configuration.GetSection(DefaultsOptions.SectionName).Get<DefaultsOptions>()?.Canaries ?? true;
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }

        if (options.Count == 0 && useDefaults)
        {
            options = [.. DefaultCanaries.For(usability ?? ProviderUsabilityReport.None)];
        }

        // The cron syntax is Quartz's, which the daemon has and the canaries' library does not:
        // checked here rather than as a rule of CanaryOptions.
        for (var i = 0; i < options.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(options[i].Cron) && CronExpressions.Check(options[i].Cron!) is { } cronProblem)
            {
                throw new ConfigurationException($"{CanaryOptions.SectionName}:{i.ToString(CultureInfo.InvariantCulture)}:Cron", cronProblem);
            }
        }

        var expansion = CanaryExpander.Expand(options);
        if (expansion.Errors.Count > 0)
        {
            throw new ConfigurationException(expansion.Errors[0].Key, expansion.Errors[0].Problem);
        }

        foreach (var warning in expansion.Warnings)
        {
            warnings?.Add(warning);
        }

        return expansion.Canaries;
    }

    /// <summary>Keys whose values are file or directory paths; <c>*</c> matches one level (an array index or a dictionary key).</summary>
    private static readonly string[] s_pathKeys =
    [
        "State:Directory", "Logs:Directory", "Probes:ProcRoot", "Probes:SysRoot", "OnnxRuntime:LibraryPath", "Metrics:WebConfigFile", "Cuda:LibraryDirectory", "Probes:Gpu:LibraryPath", "History:Path",
        "Canaries:*:Model", "Canaries:*:Variants:*", "Canaries:*:InputFiles:*", "Canaries:*:Matrix:Models:*",
        "Studies:*:OutputDirectory", "Studies:*:Models:*",
    ];

    /// <summary>Every configured path follows <see cref="ConfigPaths"/>: checked before any directory is created.</summary>
    internal static void CheckPaths(IConfiguration configuration)
    {
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is null || !s_pathKeys.Any(pattern => Matches(pattern, key)))
            {
                continue;
            }

            if (ConfigPaths.Problem(value) is { } problem)
            {
                throw new ConfigurationException(key, problem);
            }
        }

        static bool Matches(string pattern, string key)
        {
            var p = pattern.Split(':');
            var k = key.Split(':');
            return p.Length == k.Length && p.Zip(k).All(pair => pair.First == "*" || string.Equals(pair.First, pair.Second, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Every key must be a property of the type its section binds to, all the way down.</summary>
    internal static void CheckUnknownKeys(IConfiguration configuration, IReadOnlyList<OptionsSection> sections)
    {
        var known = sections.Select(s => (Section: s.Path, Options: s.BoundType)).ToList();
        foreach (var section in configuration.GetChildren())
        {
            var options = known.FirstOrDefault(s => string.Equals(s.Section, section.Key, StringComparison.OrdinalIgnoreCase)).Options;
            if (options is null)
            {
                if (s_librarySections.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                var names = string.Join(", ", known.Select(s => s.Section).Concat(s_librarySections));
                throw new ConfigurationException(section.Path, $"unknown section; known sections are {names}");
            }

            CheckValue(section, options);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var children = section.GetChildren().ToList();
        if (IsScalar(type))
        {
            if (children.Count > 0)
            {
                throw new ConfigurationException(section.Path, "expected a single value, found an object or array");
            }

            // The binder silently drops array elements it cannot convert; check every value here.
            if (!string.IsNullOrEmpty(section.Value) && !Converts(section.Value, type))
            {
                throw new ConfigurationException(section.Path, DescribeConversionFailure(Secrets.IsSecretKey(section.Path) ? Secrets.Redacted : section.Value, type.FullName!));
            }

            return;
        }

        if (section.Value is { Length: > 0 } && children.Count == 0)
        {
            throw new ConfigurationException(section.Path, "expected an object or array, found a single value");
        }

        var dictionary = type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null)
        {
            var (keyType, valueType) = (dictionary.GetGenericArguments()[0], dictionary.GetGenericArguments()[1]);
            foreach (var child in children)
            {
                if (keyType.IsEnum && !IsEnumName(keyType, child.Key))
                {
                    throw new ConfigurationException(child.Path, $"unknown key; allowed are {string.Join(", ", Enum.GetNames(keyType))}");
                }

                CheckValue(child, valueType);
            }

            return;
        }

        var element = type.IsArray ? type.GetElementType() : type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
        if (element is not null)
        {
            foreach (var child in children)
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    throw new ConfigurationException(child.Path, "expected an array element (0, 1, 2…)");
                }

                CheckValue(child, element);
            }

            return;
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in children)
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                var names = string.Join(", ", properties.Keys.Order(StringComparer.Ordinal));
                throw new ConfigurationException(child.Path, $"unknown key; {section.Path} has {names}");
            }

            CheckValue(child, property.PropertyType);
        }
    }

    private static bool Converts(string value, Type type)
    {
        if (type == typeof(string))
        {
            return true;
        }

        if (type.IsEnum)
        {
            return IsEnumName(type, value);
        }

        if (type == typeof(Uri))
        {
            return Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _);
        }

        try
        {
            _ = System.ComponentModel.TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException
                                   || ex.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    // Enum.TryParse also takes numbers, even ones no member has ("7" for a two-member enum):
    // only a member's name is a valid value.
    private static bool IsEnumName(Type type, string value) =>
        Enum.GetNames(type).Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(DateTimeOffset) || type == typeof(DateTime);

    /// <summary>
    /// Turns an options failure thrown anywhere (binding a value, a validator) into a
    /// <see cref="ConfigurationException"/> naming the key; null for any other exception.
    /// </summary>
    public static ConfigurationException? Translate(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case ConfigurationException configuration:
                    return configuration;
                case OptionsValidationException validation:
                    return Keyed(SectionOf(validation), validation.OptionsType, validation.Failures.First(), configuration: null);
                case InvalidOperationException when BinderError().Match(ex.Message) is { Success: true } match:
                    return new ConfigurationException(
                        match.Groups["key"].Value,
                        DescribeConversionFailure(Secrets.IsSecretKey(match.Groups["key"].Value) ? Secrets.Redacted : match.Groups["value"].Value, match.Groups["type"].Value),
                        ex);
            }
        }

        return null;
    }

    /// <summary>
    /// A validator's failure as a <see cref="ConfigurationException"/> naming its key. The
    /// generated validators say "Member: The field Probes.Gpu.EnergyInterval must be …" (the
    /// options are named after their section, so the dotted name is the key path); the options'
    /// own rules say "Probes:Gpu:RetryMax: …" (<see cref="Probes.OptionsMember"/>). Validated under
    /// the default name, the path starts with the type's name instead of the section's. With
    /// <paramref name="configuration"/>, a range failure also shows the value as configured.
    /// </summary>
    internal static ConfigurationException Keyed(string section, Type optionsType, string failure, IConfiguration? configuration)
    {
        string key;
        string problem;
        if (AttributeFailure().Match(failure) is { Success: true } attribute)
        {
            key = attribute.Groups["field"].Value.Replace('.', ':');
            problem = attribute.Groups["problem"].Value.TrimEnd('.');
            key = Rooted(key, section, optionsType);
            if (configuration?[key] is { } value)
            {
                problem += $", got {Quote(Secrets.IsSecretKey(key) ? Secrets.Redacted : value)}";
            }
        }
        else if (failure.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon)
        {
            (key, problem) = (Rooted(failure[..colon], section, optionsType), failure[(colon + 2)..]);
        }
        else
        {
            (key, problem) = (section, failure);
        }

        return new ConfigurationException(key, problem);
    }

    private static string Rooted(string key, string section, Type optionsType) =>
        key.StartsWith(optionsType.Name + ":", StringComparison.Ordinal) ? section + key[optionsType.Name.Length..] : key;

    // A failure of options validated under their section's name names it; under the default
    // name (a host's start-up validation), the type's SectionName does.
    private static string SectionOf(OptionsValidationException validation) =>
        !string.IsNullOrEmpty(validation.OptionsName) ? validation.OptionsName
        : validation.OptionsType.GetField("SectionName")?.GetValue(null) as string ?? validation.OptionsType.Name;

    private static string DescribeConversionFailure(string value, string typeName)
    {
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        var quoted = Quote(value);
        if (type is { IsEnum: true })
        {
            return $"{quoted} is not one of {string.Join(", ", Enum.GetNames(type))}";
        }

        return typeName switch
        {
            "System.TimeSpan" => $"{quoted} is not a time span (write hh:mm:ss, for example 00:00:05)",
            "System.Boolean" => $"{quoted} is not true or false",
            "System.Uri" => $"{quoted} is not a URL",
            "System.Int32" or "System.Int64" => $"{quoted} is not a whole number",
            _ => string.Create(CultureInfo.InvariantCulture, $"{quoted} cannot be read as {typeName}"),
        };
    }

    // The value as given, in quotes, with line breaks and other control characters escaped, so
    // the error stays one line (a journal entry, a CLI's last line).
    private static string Quote(string value)
    {
        var text = new System.Text.StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            _ = c switch
            {
                '\r' => text.Append("\\r"),
                '\n' => text.Append("\\n"),
                '\t' => text.Append("\\t"),
                _ when char.IsControl(c) => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }

        return text.Append('\'').ToString();
    }

    [GeneratedRegex("value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex BinderError();

    // RequiredAttribute words its message the other way round ("The Probes.ProcRoot field is required.").
    [GeneratedRegex(@"^(?:\w+: )?(?:The (?<field>\S+) field (?<problem>is required)\.?|The field (?<field>\S+) (?<problem>.+))$", RegexOptions.Singleline)]
    private static partial Regex AttributeFailure();
}
