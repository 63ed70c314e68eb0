using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// A tensor read from a NumPy <c>.npy</c> file (format versions 1–3,
/// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html): little-endian
/// numeric data in C order. Users supply real inputs this way (<c>np.save</c>).
/// </summary>
public sealed partial record NpyArray(TensorElementType Type, long[] Shape, byte[] Data)
{
    private static readonly Dictionary<string, (TensorElementType Type, int Size)> s_types = new(StringComparer.Ordinal)
    {
        ["<f4"] = (TensorElementType.Float, 4),
        ["<f8"] = (TensorElementType.Double, 8),
        ["<f2"] = (TensorElementType.Float16, 2),
        ["<i8"] = (TensorElementType.Int64, 8),
        ["<i4"] = (TensorElementType.Int32, 4),
        ["<i2"] = (TensorElementType.Int16, 2),
        ["|i1"] = (TensorElementType.Int8, 1),
        ["|u1"] = (TensorElementType.UInt8, 1),
        ["|b1"] = (TensorElementType.Bool, 1),
    };

    /// <summary>Reads <paramref name="path"/>; throws <see cref="CanaryInputException"/> saying what is wrong with it.</summary>
    public static NpyArray Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CanaryInputException($"input file {path} cannot be read: {ex.Message}", ex);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses the bytes of an .npy file; <paramref name="source"/> names it in errors.</summary>
    public static NpyArray Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 10 || bytes[0] != 0x93 || !bytes[1..6].SequenceEqual("NUMPY"u8))
        {
            throw new CanaryInputException($"input file {source} is not a NumPy .npy file (bad magic)");
        }

        var major = bytes[6];
        int headerLength, headerStart;
        if (major == 1)
        {
            headerLength = bytes[8] | (bytes[9] << 8);
            headerStart = 10;
        }
        else if (major is 2 or 3 && bytes.Length >= 12)
        {
            headerLength = (int)BitConverter.ToUInt32(bytes[8..12]);
            headerStart = 12;
        }
        else
        {
            throw new CanaryInputException($"input file {source} has .npy format version {major}, which is not supported (1-3 are)");
        }

        if (headerStart + headerLength > bytes.Length)
        {
            throw new CanaryInputException($"input file {source} is truncated (header)");
        }

        var header = Encoding.UTF8.GetString(bytes.Slice(headerStart, headerLength));
        var descr = Descr().Match(header);
        var fortran = Fortran().Match(header);
        var shapeMatch = ShapeField().Match(header);
        if (!descr.Success || !fortran.Success || !shapeMatch.Success)
        {
            throw new CanaryInputException($"input file {source} has a malformed .npy header: {header.Trim()}");
        }

        if (fortran.Groups[1].Value == "True")
        {
            throw new CanaryInputException($"input file {source} is in Fortran order; save it in C order (np.ascontiguousarray)");
        }

        if (!s_types.TryGetValue(descr.Groups[1].Value, out var type))
        {
            throw new CanaryInputException($"input file {source} has dtype '{descr.Groups[1].Value}'; supported are {string.Join(", ", s_types.Keys)} (little-endian)");
        }

        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var data = bytes[(headerStart + headerLength)..];
        if (data.Length != count * type.Size)
        {
            throw new CanaryInputException($"input file {source} holds {data.Length} data bytes but shape ({string.Join(", ", shape)}) of {descr.Groups[1].Value} needs {count * type.Size}");
        }

        return new NpyArray(type.Type, shape, data.ToArray());
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex Fortran();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeField();
}
