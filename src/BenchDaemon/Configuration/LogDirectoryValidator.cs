using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>With the file sink on, the log directory must be creatable and writable.</summary>
public sealed class LogDirectoryValidator : IValidateOptions<LogOptions>
{
    public ValidateOptionsResult Validate(string? name, LogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.File)
        {
            return ValidateOptionsResult.Success;
        }

        var problem = WritableDirectory.Check(options.Directory ?? string.Empty);
        return problem is null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{LogOptions.SectionName}:{nameof(LogOptions.Directory)}: {problem} (or set Logs:File=false)");
    }
}
