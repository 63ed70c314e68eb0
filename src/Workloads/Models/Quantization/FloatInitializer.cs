using System.Buffers.Binary;
using System.Runtime.InteropServices;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>Reads the values of a FLOAT initializer, whichever of the two inline forms it uses, or from its file when <see cref="OnnxModelFile"/> deferred it.</summary>
internal static class FloatInitializer
{
    public static bool IsFloat(TensorProto tensor) => tensor.DataType == (int)OnnxElementType.Float;

    /// <summary>The element count of <paramref name="tensor"/>'s shape.</summary>
    public static long Count(TensorProto tensor) => OnnxTensors.ElementCount(tensor.Dims.ToArray());

    /// <summary>The values of <paramref name="tensor"/> in a new array.</summary>
    /// <exception cref="NotSupportedException">The tensor keeps its data elsewhere (external data) and <paramref name="file"/> does not know where.</exception>
    public static float[] Read(TensorProto tensor, OnnxModelFile? file = null)
    {
        var values = new float[Count(tensor)];
        Read(tensor, file, values);
        return values;
    }

    /// <summary>Reads the values of <paramref name="tensor"/> into <paramref name="values"/>, which has its element count.</summary>
    /// <exception cref="NotSupportedException">The tensor keeps its data elsewhere (external data) and <paramref name="file"/> does not know where.</exception>
    public static void Read(TensorProto tensor, OnnxModelFile? file, Span<float> values)
    {
        var count = Count(tensor);
        if (values.Length != count)
        {
            throw new ArgumentException($"Initializer '{tensor.Name}' has {count} elements, not {values.Length}.", nameof(values));
        }

        if (file is not null && file.IsDeferred(tensor) && file.DataLength(tensor) == count * sizeof(float))
        {
            var bytes = MemoryMarshal.AsBytes(values);
            file.ReadData(tensor, bytes);
            if (!BitConverter.IsLittleEndian)
            {
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float), sizeof(float)));
                }
            }
        }
        else if (tensor.RawData.Length == count * sizeof(float) && count > 0)
        {
            // raw_data is little-endian on every host (onnx.proto, TensorProto.raw_data).
            var raw = tensor.RawData.Span;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * sizeof(float), sizeof(float)));
            }
        }
        else if (tensor.FloatData.Count == count)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = tensor.FloatData[i];
            }
        }
        else
        {
            throw new NotSupportedException(
                $"Initializer '{tensor.Name}' holds {tensor.RawData.Length} raw bytes and {tensor.FloatData.Count} float_data values for {count} elements; " +
                "weights stored as external data cannot be quantized (load them into the model first).");
        }
    }
}
