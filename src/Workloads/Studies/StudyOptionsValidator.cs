using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Studies;

/// <summary>Source-generated validator for <see cref="StudyOptions"/> (one element of <c>Studies</c>).</summary>
[OptionsValidator]
public sealed partial class StudyOptionsValidator : IValidateOptions<StudyOptions>;
