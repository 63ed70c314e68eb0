using System.Buffers.Binary;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>Reads the values of a FLOAT initializer, whichever of the two inline forms it uses.</summary>
internal static class FloatInitializer
{
    public static bool IsFloat(TensorProto tensor) => tensor.DataType == (int)OnnxElementType.Float;

    /// <exception cref="NotSupportedException">The tensor keeps its data elsewhere (external data).</exception>
    public static float[] Read(TensorProto tensor)
    {
        var count = OnnxTensors.ElementCount(tensor.Dims.ToArray());
        var values = new float[count];
        if (tensor.RawData.Length == count * sizeof(float) && count > 0)
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
            tensor.FloatData.CopyTo(values, 0);
        }
        else
        {
            throw new NotSupportedException(
                $"Initializer '{tensor.Name}' holds {tensor.RawData.Length} raw bytes and {tensor.FloatData.Count} float_data values for {count} elements; " +
                "weights stored as external data cannot be quantized (load them into the model first).");
        }

        return values;
    }
}
