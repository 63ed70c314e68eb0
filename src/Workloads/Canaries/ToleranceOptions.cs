using System.ComponentModel.DataAnnotations;
using System.Globalization;
using BenchDaemon.Probes;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// How far a run's floating-point outputs may be from a test data set's expected outputs: an
/// element agrees when <c>|actual − expected| ≤ Absolute + Relative × |expected|</c>. Unset values
/// come from <see cref="Tolerance.Default"/> for the canary's precision and provider. Integer,
/// boolean and string outputs must be equal. Checked by <see cref="ToleranceOptionsValidator"/>.
/// </summary>
public sealed class ToleranceOptions : IValidatableObject
{
    /// <summary>The absolute part of the tolerance; unset: the default for the precision and provider.</summary>
    public double? Absolute { get; set; }

    /// <summary>The relative part of the tolerance (a fraction of |expected|); unset: the default.</summary>
    public double? Relative { get; set; }

    /// <summary>
    /// Each part, when set, finite and zero or more. A rule rather than a range attribute: "finite"
    /// has no bound to name, and a range up to double.MaxValue would print that number as the limit.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Absolute is { } absolute && !(double.IsFinite(absolute) && absolute >= 0))
        {
            yield return OptionsMember.Fail(validationContext, nameof(Absolute), string.Create(CultureInfo.InvariantCulture, $"must be a finite number, zero or more, got {absolute}"));
        }

        if (Relative is { } relative && !(double.IsFinite(relative) && relative >= 0))
        {
            yield return OptionsMember.Fail(validationContext, nameof(Relative), string.Create(CultureInfo.InvariantCulture, $"must be a finite number, zero or more, got {relative}"));
        }
    }
}

/// <summary>A resolved tolerance of expected outputs.</summary>
/// <param name="Absolute">The absolute part.</param>
/// <param name="Relative">The relative part, a fraction of |expected|.</param>
public sealed record Tolerance(double Absolute, double Relative)
{
    /// <summary>
    /// The default for a precision and provider: FP32 on the CPU 1e-4 + 1e-3 × |expected| (the
    /// order of ONNX's own backend tests, loose enough for a different thread count or
    /// instruction set); FP32 on a GPU 1e-3 + 1e-2 × |expected| (TF32 matrix units and other
    /// kernels); FP16 1e-2 + 1e-2; INT8 5e-2 + 5e-2 (a quantization step of a different kernel).
    /// A silent data corruption — a flipped exponent or mantissa bit, a wrong kernel — is far
    /// outside any of them.
    /// </summary>
    public static Tolerance Default(Precision precision, string provider) => precision switch
    {
        Precision.INT8 => new(5e-2, 5e-2),
        Precision.FP16 or Precision.BF16 => new(1e-2, 1e-2),
        _ when ExecutionProviders.IsCpu(provider) => new(1e-4, 1e-3),
        _ => new(1e-3, 1e-2),
    };
}
