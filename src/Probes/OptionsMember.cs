using System.ComponentModel.DataAnnotations;

namespace BenchDaemon.Probes;

/// <summary>
/// Failures of an options type's own cross-field rules (<see cref="IValidatableObject"/>), named
/// by configuration key. The source-generated validator hands <see cref="IValidatableObject.Validate"/>
/// a context whose display name is the options path plus <c>.Validate</c> (<c>Probes.Gpu.Validate</c>),
/// so the key is known here; the message becomes <c>Probes:Gpu:RetryMax: problem</c>.
/// </summary>
public static class OptionsMember
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
}
