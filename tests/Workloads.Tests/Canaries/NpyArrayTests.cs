using System.Text;
using BenchDaemon.Workloads.Canaries;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class NpyArrayTests
{
    /// <summary>Bytes of an .npy version 1.0 file as np.save writes them.</summary>
    public static byte[] Npy(string descr, long[] shape, byte[] data, bool fortran = false)
    {
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': ({dims}), }}";
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (total % 64)) % 64)) + "\n";
        var bytes = new List<byte>();
        bytes.Add(0x93);
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add(1);
        bytes.Add(0);
        bytes.Add((byte)(header.Length & 0xff));
        bytes.Add((byte)(header.Length >> 8));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }

    public static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void Parse_Float32Matrix_ReadsTypeShapeAndData()
    {
        var array = NpyArray.Parse(Npy("<f4", [2, 3], Floats(1, 2, 3, 4, 5, 6)), "x.npy");

        Assert.Equal(TensorElementType.Float, array.Type);
        Assert.Equal([2L, 3L], array.Shape);
        Assert.Equal(6f, BitConverter.ToSingle(array.Data, 20));
    }

    [Fact]
    public void Parse_Int64Vector_WithTrailingCommaShape()
    {
        var array = NpyArray.Parse(Npy("<i8", [3], [.. BitConverter.GetBytes(7L), .. BitConverter.GetBytes(8L), .. BitConverter.GetBytes(9L)]), "ids.npy");

        Assert.Equal(TensorElementType.Int64, array.Type);
        Assert.Equal([3L], array.Shape);
    }

    [Theory]
    [InlineData("magic", "not a NumPy .npy file")]
    [InlineData("fortran", "Fortran order")]
    [InlineData("bigendian", "dtype '>f4'")]
    [InlineData("truncated", "holds 8 data bytes but shape (2, 3) of <f4 needs 24")]
    public void Parse_Bad_SaysWhy(string kind, string expected)
    {
        var bytes = kind switch
        {
            "magic" => Encoding.ASCII.GetBytes("PK\x03\x04 this is a zip"),
            "fortran" => Npy("<f4", [2, 3], Floats(1, 2, 3, 4, 5, 6), fortran: true),
            "bigendian" => Npy(">f4", [2, 3], Floats(1, 2, 3, 4, 5, 6)),
            _ => Npy("<f4", [2, 3], Floats(1, 2)),
        };

        var ex = Assert.Throws<CanaryInputException>(() => NpyArray.Parse(bytes, "x.npy"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
