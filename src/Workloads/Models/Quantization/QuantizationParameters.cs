namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>
/// The affine map of a quantized tensor, <c>real = (q − ZeroPoint) × Scale</c>
/// (<see href="https://onnx.ai/onnx/operators/onnx__DequantizeLinear.html">DequantizeLinear</see>).
/// </summary>
internal readonly record struct QuantizationParameters(float Scale, int ZeroPoint);
