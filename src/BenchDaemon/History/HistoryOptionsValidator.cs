using Microsoft.Extensions.Options;

namespace BenchDaemon.History;

/// <summary>Ranges of <see cref="HistoryOptions"/> (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class HistoryOptionsValidator : IValidateOptions<HistoryOptions>;
