using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>The state directory must be creatable and writable, or nothing can be kept.</summary>
public sealed class StateOptionsValidator : IValidateOptions<StateOptions>
{
    public ValidateOptionsResult Validate(string? name, StateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problem = WritableDirectory.Check(options.Directory ?? string.Empty);
        return problem is null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{StateOptions.SectionName}:{nameof(StateOptions.Directory)}: {problem}");
    }
}
