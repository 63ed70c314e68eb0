using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Probes;

/// <summary>
/// Failures of an options type's own cross-field rules (<see cref="IValidatableObject"/>), named
/// by configuration key. The source-generated validator hands <see cref="IValidatableObject.Validate"/>
/// a context whose display name is the options path plus <c>.Validate</c> (<c>Probes.Gpu.Validate</c>),
/// so the key is known here; the message becomes <c>Probes:Gpu:RetryMax: problem</c>.
/// </summary>
public static partial class OptionsMember
{
    private const string ValidateSuffix = ".Validate";

    /// <summary>A failure of <paramref name="member"/> (a property name, or <c>Property:Key</c> for a dictionary entry).</summary>
    public static ValidationResult Fail(ValidationContext context, string member, string problem)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ValidationResult($"{Key(context, member)}: {problem}");
    }

    /// <summary>
    /// A failure made by <see cref="Fail"/> (<c>Key: problem</c>), split into its key and problem;
    /// a failure without a key gets <paramref name="fallbackKey"/>.
    /// </summary>
    public static (string Key, string Problem) Split(string failure, string fallbackKey)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var colon = failure.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? (failure[..colon], failure[(colon + 2)..]) : (fallbackKey, failure);
    }

    /// <summary>The configuration key of <paramref name="member"/> of the object <paramref name="context"/> validates.</summary>
    public static string Key(ValidationContext context, string member)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.DisplayName.EndsWith(ValidateSuffix, StringComparison.Ordinal)
            ? context.DisplayName[..^ValidateSuffix.Length]
            : context.ObjectType.Name;
        return $"{path.Replace('.', ':')}:{member}";
    }

    /// <summary>
    /// The failures of a generated validator that validated <paramref name="options"/> under
    /// <paramref name="name"/> (a key path such as <c>Canaries:2</c>), as <c>(key, problem)</c>.
    /// An attribute's failure ("MinDuration: The field Canaries:2.Measure.MinDuration must be
    /// between …") gets its key and the value it found (<c>must be between … , got '-00:00:01'</c>),
    /// read from the options object, since there is no configuration to quote here; a rule's
    /// failure (<see cref="Fail"/>) already starts with its key.
    /// </summary>
    public static IEnumerable<(string Key, string Problem)> Failures(ValidateOptionsResult result, string name, object options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        if (!result.Failed)
        {
            yield break;
        }

        foreach (var failure in result.Failures)
        {
            if (AttributeFailure().Match(failure) is { Success: true } attribute)
            {
                var field = attribute.Groups["field"].Value;
                var problem = attribute.Groups["problem"].Value.TrimEnd('.');
                var path = field.StartsWith(name + ".", StringComparison.Ordinal) ? field[(name.Length + 1)..] : null;
                var value = path is null ? null : ValueAt(options, path.Split('.'));
                yield return (field.Replace('.', ':'), value is null ? problem : $"{problem}, got '{value}'");
            }
            else
            {
                yield return Split(failure, name);
            }
        }
    }

    // The value of a member path (Measure.MinDuration) of the validated object, as the binder
    // would read it back: invariant culture.
    private static string? ValueAt(object options, string[] path)
    {
        object? current = options;
        foreach (var member in path)
        {
            current = current?.GetType().GetProperty(member, BindingFlags.Public | BindingFlags.Instance)?.GetValue(current);
        }

        return current switch
        {
            null => null,
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => current.ToString(),
        };
    }

    // RequiredAttribute words its message the other way round ("The Canaries:2.Name field is required.").
    [GeneratedRegex(@"^(?:\w+: )?(?:The (?<field>\S+) field (?<problem>is required)\.?|The field (?<field>\S+) (?<problem>.+))$", RegexOptions.Singleline)]
    private static partial Regex AttributeFailure();
}
