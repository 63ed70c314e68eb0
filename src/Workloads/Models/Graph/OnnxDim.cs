using System.Globalization;

namespace BenchDaemon.Workloads.Models.Graph;

/// <summary>
/// One dimension of a graph input or output: a fixed size (<c>dim_value</c>) or a symbolic
/// name such as <c>batch</c> (<c>dim_param</c>) that the runtime binds per call. Dimensions
/// with the same name must have the same size within one call. <c>default</c> is a dimension
/// with neither, which ONNX reads as "unknown".
/// </summary>
public readonly record struct OnnxDim
{
    private OnnxDim(long? size, string? symbol)
    {
        Size = size;
        Symbol = symbol;
    }

    /// <summary>The fixed size, or null for a symbolic or unknown dimension.</summary>
    public long? Size { get; }

    /// <summary>The symbolic name, or null for a fixed or unknown dimension.</summary>
    public string? Symbol { get; }

    /// <summary>A dimension of fixed <paramref name="size"/> (zero or more).</summary>
    public static OnnxDim Fixed(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return new OnnxDim(size, null);
    }

    /// <summary>A dimension named <paramref name="name"/>, bound by the runtime per call.</summary>
    public static OnnxDim Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new OnnxDim(null, name);
    }

    public static implicit operator OnnxDim(long size) => Fixed(size);

    public static implicit operator OnnxDim(string name) => Symbolic(name);

    public override string ToString() =>
        Symbol ?? Size?.ToString(CultureInfo.InvariantCulture) ?? "?";
}
