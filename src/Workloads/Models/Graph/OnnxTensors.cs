using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;

namespace BenchDaemon.Workloads.Models.Graph;

/// <summary>Builds <see cref="TensorProto"/>s with <c>raw_data</c>, shared by initializers and tensor attributes.</summary>
internal static class OnnxTensors
{
    /// <summary>Number of elements of a tensor of shape <paramref name="dims"/> (1 for a scalar).</summary>
    public static long ElementCount(ReadOnlySpan<long> dims)
    {
        long count = 1;
        foreach (var dim in dims)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Tensor dimensions must be zero or more; got {dim}.", nameof(dims));
            }

            count = checked(count * dim);
        }

        return count;
    }

    public static TensorProto Create<T>(string name, OnnxElementType type, long[] dims, ReadOnlySpan<T> data)
        where T : unmanaged
    {
        var tensor = Header(name, type, dims, data.Length);
        tensor.RawData = RawLittleEndian(data);
        return tensor;
    }

    /// <summary>A tensor of <paramref name="length"/> elements with its name, type and shape but no data yet.</summary>
    /// <exception cref="ArgumentException">The shape does not hold <paramref name="length"/> elements.</exception>
    public static TensorProto Header(string name, OnnxElementType type, long[] dims, long length)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var count = ElementCount(dims);
        if (count != length)
        {
            throw new ArgumentException(
                $"Tensor '{name}' of shape [{string.Join(", ", dims)}] needs {count} elements; got {length}.",
                nameof(length));
        }

        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.Add(dims);
        return tensor;
    }

    /// <summary>
    /// The <c>raw_data</c> bytes of <paramref name="data"/>: the elements' own memory on a
    /// little-endian host, a byte-swapped copy on a big-endian one.
    /// </summary>
    public static ReadOnlySpan<byte> RawBytes<T>(ReadOnlySpan<T> data)
        where T : unmanaged =>
        BitConverter.IsLittleEndian || Unsafe.SizeOf<T>() == 1 ? MemoryMarshal.AsBytes(data) : RawLittleEndian(data).Span;

    /// <summary>
    /// ONNX <c>raw_data</c> is little-endian whatever the host
    /// (<see href="https://github.com/onnx/onnx/blob/main/docs/IR.md#tensor-definition">IR.md</see>).
    /// </summary>
    private static ByteString RawLittleEndian<T>(ReadOnlySpan<T> data)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(data).ToArray();
        var size = Unsafe.SizeOf<T>();
        if (!BitConverter.IsLittleEndian && size > 1)
        {
            for (var offset = 0; offset < bytes.Length; offset += size)
            {
                bytes.AsSpan(offset, size).Reverse();
            }
        }

        // The array is ours alone, so wrapping it instead of copying is safe.
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }
}
