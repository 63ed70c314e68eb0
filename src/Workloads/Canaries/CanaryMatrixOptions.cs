using System.ComponentModel.DataAnnotations;
using System.Globalization;
using BenchDaemon.Probes;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// The matrix form of a canary (section <c>Canaries:N:Matrix</c>): one canary per model ×
/// provider × precision, each with the block's batch sizes and other settings. Checked by
/// <see cref="CanaryMatrixOptionsValidator"/>.
/// </summary>
public sealed class CanaryMatrixOptions : IValidatableObject
{
    /// <summary>Model paths or <c>builtin:name</c>; at least one.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Provider names; empty means the block's <c>Provider</c>.</summary>
    public List<string> Providers { get; set; } = [];

    /// <summary>Precisions; empty means the block's <c>Precision</c>.</summary>
    public List<Precision> Precisions { get; set; } = [];

    /// <summary>At least one model, none blank; every provider known.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Models.Count == 0)
        {
            yield return OptionsMember.Fail(validationContext, nameof(Models), "must list at least one model");
        }

        for (var m = 0; m < Models.Count; m++)
        {
            if (string.IsNullOrWhiteSpace(Models[m]))
            {
                yield return OptionsMember.Fail(validationContext, $"{nameof(Models)}:{m.ToString(CultureInfo.InvariantCulture)}", "must not be empty");
            }
        }

        for (var p = 0; p < Providers.Count; p++)
        {
            if (string.IsNullOrWhiteSpace(Providers[p]) || !ExecutionProviders.IsKnown(Providers[p]))
            {
                yield return OptionsMember.Fail(
                    validationContext,
                    $"{nameof(Providers)}:{p.ToString(CultureInfo.InvariantCulture)}",
                    string.IsNullOrWhiteSpace(Providers[p]) ? "must not be empty" : CanaryExpander.UnknownProvider(Providers[p]));
            }
        }
    }

    /// <summary>True when every model is named: the matrix can be expanded (its providers may still be unknown).</summary>
    internal bool ModelsNamed => Models.Count > 0 && Models.All(m => !string.IsNullOrWhiteSpace(m));
}
