using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Quantized models: QDQ pairs and QDQ-wrapped operators, QLinear*, *Integer, DynamicQuantizeLinear.</summary>
internal static class Quantized
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(1313);
        AddQdq(corpus, rng);
        AddIntegerOperators(corpus, rng);
    }

    private static double Quantize(double x, double scale, double zeroPoint, double low, double high) =>
        Math.Clamp(Math.Round(x / scale, MidpointRounding.ToEven) + zeroPoint, low, high);

    private static void AddQdq(Corpus corpus, Rng rng)
    {
        var x = Nd.Random(rng, E.Float, [2, 8], -3, 3);
        const float Scale = 0.05f;
        corpus.Add(new ModelSpec("quant", "qdq-uint8"))
            .In("x", E.Float, "N", 8)
            .Out("y", E.Float, "N", 8)
            .Init("scale", Nd.Scalar(E.Float, Scale)).Init("zp", Nd.Scalar(E.UInt8, 128))
            .Op("QuantizeLinear", ["x", "scale", "zp"], ["q"])
            .Op("DequantizeLinear", ["q", "scale", "zp"], ["y"])
            .Feed("x", x)
            .Expect("y", x.Map(v => (Quantize(v, Scale, 128, 0, 255) - 128) * Scale));
        corpus.Add(new ModelSpec("quant", "qdq-int8"))
            .In("x", E.Float, "N", 8)
            .Out("y", E.Float, "N", 8)
            .Init("scale", Nd.Scalar(E.Float, Scale)).Init("zp", Nd.Scalar(E.Int8, 0))
            .Op("QuantizeLinear", ["x", "scale", "zp"], ["q"])
            .Op("DequantizeLinear", ["q", "scale", "zp"], ["y"])
            .Feed("x", x)
            .Expect("y", x.Map(v => Quantize(v, Scale, 0, -128, 127) * Scale));
        corpus.Add(new ModelSpec("quant", "quantize-only-uint8-output"))
            .In("x", E.Float, "N", 8)
            .Out("q", E.UInt8, "N", 8)
            .Init("scale", Nd.Scalar(E.Float, Scale)).Init("zp", Nd.Scalar(E.UInt8, 128))
            .Op("QuantizeLinear", ["x", "scale", "zp"], ["q"])
            .Feed("x", x)
            .Expect("q", x.Map(v => Quantize(v, Scale, 128, 0, 255), E.UInt8));
        var c = Nd.Random(rng, E.Float, [1, 3, 2, 2], -2, 2);
        double[] scales = [0.02, 0.05, 0.1];
        double[] zps = [100, 128, 150];
        var perAxis = Nd.Zip(
            v => (Quantize(v[0], v[1], v[2], 0, 255) - v[2]) * v[1],
            E.Float,
            c, Nd.Of(E.Float, [3, 1, 1], scales), Nd.Of(E.UInt8, [3, 1, 1], zps));
        corpus.Add(new ModelSpec("quant", "qdq-per-axis"))
            .In("x", E.Float, "N", 3, 2, 2)
            .Out("y", E.Float, "N", 3, 2, 2)
            .Init("scale", Nd.Vector(E.Float, scales)).Init("zp", Nd.Vector(E.UInt8, zps))
            .Op("QuantizeLinear", ["x", "scale", "zp"], ["q"], A.Int("axis", 1))
            .Op("DequantizeLinear", ["q", "scale", "zp"], ["y"], A.Int("axis", 1))
            .Feed("x", c)
            .Expect("y", perAxis);

        // QDQ around MatMul and Conv, as a QDQ quantizer writes them (ONNX Runtime fuses them).
        corpus.Add(new ModelSpec("quant", "qdq-matmul"))
            .In("x", E.Float, "N", 16)
            .Out("y", E.Float, "N", 8)
            .Init("x_scale", Nd.Scalar(E.Float, 0.02)).Init("x_zp", Nd.Scalar(E.UInt8, 128))
            .Init("w", Nd.Random(rng, E.Int8, [16, 8], -127, 128)).Init("w_scale", Nd.Scalar(E.Float, 0.004)).Init("w_zp", Nd.Scalar(E.Int8, 0))
            .Init("b", Nd.Random(rng, E.Float, [8]))
            .Op("QuantizeLinear", ["x", "x_scale", "x_zp"], ["xq"])
            .Op("DequantizeLinear", ["xq", "x_scale", "x_zp"], ["xd"])
            .Op("DequantizeLinear", ["w", "w_scale", "w_zp"], ["wd"])
            .Op("MatMul", ["xd", "wd"], ["mm"])
            .Op("Add", ["mm", "b"], ["y"]);
        corpus.Add(new ModelSpec("quant", "qdq-conv-relu"))
            .In("x", E.Float, "N", 3, 8, 8)
            .Out("y", E.Float, "N", 4, 6, 6)
            .Init("x_scale", Nd.Scalar(E.Float, 0.02)).Init("x_zp", Nd.Scalar(E.UInt8, 128))
            .Init("w", Nd.Random(rng, E.Int8, [4, 3, 3, 3], -127, 128)).Init("w_scale", Nd.Vector(E.Float, 0.004, 0.005, 0.006, 0.007)).Init("w_zp", Nd.Vector(E.Int8, 0, 0, 0, 0))
            .Init("y_scale", Nd.Scalar(E.Float, 0.03)).Init("y_zp", Nd.Scalar(E.UInt8, 0))
            .Op("QuantizeLinear", ["x", "x_scale", "x_zp"], ["xq"])
            .Op("DequantizeLinear", ["xq", "x_scale", "x_zp"], ["xd"])
            .Op("DequantizeLinear", ["w", "w_scale", "w_zp"], ["wd"], A.Int("axis", 0))
            .Op("Conv", ["xd", "wd"], ["conv"])
            .Op("Relu", ["conv"], ["r"])
            .Op("QuantizeLinear", ["r", "y_scale", "y_zp"], ["rq"])
            .Op("DequantizeLinear", ["rq", "y_scale", "y_zp"], ["y"]);

        // Opset 21: the output type as an attribute (int16, int4, float8).
        foreach (var (name, type) in new[] { ("int16", E.Int16), ("int4", E.Int4), ("float8e4m3fn", E.Float8E4M3FN) })
        {
            corpus.Add(new ModelSpec("quant", "qdq-" + name + "-opset21", 21))
                .In("x", E.Float, "N", 8)
                .Out("y", E.Float, "N", 8)
                .Init("scale", Nd.Scalar(E.Float, 0.05))
                .Op("QuantizeLinear", ["x", "scale"], ["q"], A.ElementType("output_dtype", type))
                .Op("DequantizeLinear", ["q", "scale"], ["y"]);
        }
    }

    private static void AddIntegerOperators(Corpus corpus, Rng rng)
    {
        var a = Nd.Random(rng, E.UInt8, [2, 8], 0, 256);
        var b = Nd.Random(rng, E.UInt8, [8, 4], 0, 256);
        corpus.Add(new ModelSpec("quant", "matmulinteger-uint8"))
            .In("a", E.UInt8, "N", 8)
            .Out("y", E.Int32, "N", 4)
            .Init("b", b).Init("a_zp", Nd.Scalar(E.UInt8, 128)).Init("b_zp", Nd.Scalar(E.UInt8, 100))
            .Op("MatMulInteger", ["a", "b", "a_zp", "b_zp"], ["y"])
            .Feed("a", a)
            .Expect("y", a.Map(v => v - 128, E.Int32).MatMul(b.Map(v => v - 100, E.Int32)));
        var sa = Nd.Random(rng, E.Int8, [2, 8], -128, 128);
        var sb = Nd.Random(rng, E.Int8, [8, 4], -128, 128);
        corpus.Add(new ModelSpec("quant", "matmulinteger-int8"))
            .In("a", E.Int8, "N", 8)
            .Out("y", E.Int32, "N", 4)
            .Init("b", sb)
            .Op("MatMulInteger", ["a", "b"], ["y"])
            .Feed("a", sa)
            .Expect("y", sa.Cast(E.Int32).MatMul(sb.Cast(E.Int32)));
        var cx = Nd.Random(rng, E.UInt8, [1, 1, 5, 5], 0, 256);
        var cw = Nd.Random(rng, E.UInt8, [2, 1, 3, 3], 0, 256);
        corpus.Add(new ModelSpec("quant", "convinteger"))
            .In("x", E.UInt8, "N", 1, 5, 5)
            .Out("y", E.Int32, "N", 2, 3, 3)
            .Init("w", cw).Init("x_zp", Nd.Scalar(E.UInt8, 100))
            .Op("ConvInteger", ["x", "w", "x_zp"], ["y"])
            .Feed("x", cx)
            .Expect("y", Convolution.Reference(cx.Map(v => v - 100, E.Int32), cw.Cast(E.Int32), null, 1, [0, 0, 0, 0], [1, 1], [1, 1]).Cast(E.Int32));
        corpus.Add(new ModelSpec("quant", "qlinearmatmul-uint8-io"))
            .In("a", E.UInt8, "N", 8)
            .Out("y", E.UInt8, "N", 4)
            .Init("a_scale", Nd.Scalar(E.Float, 0.02)).Init("a_zp", Nd.Scalar(E.UInt8, 128))
            .Init("b", b).Init("b_scale", Nd.Scalar(E.Float, 0.01)).Init("b_zp", Nd.Scalar(E.UInt8, 128))
            .Init("y_scale", Nd.Scalar(E.Float, 0.1)).Init("y_zp", Nd.Scalar(E.UInt8, 128))
            .Op("QLinearMatMul", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"], ["y"]);
        corpus.Add(new ModelSpec("quant", "qlinearmatmul-float-io"))
            .In("x", E.Float, "N", 8)
            .Out("y", E.Float, "N", 4)
            .Init("a_scale", Nd.Scalar(E.Float, 0.02)).Init("a_zp", Nd.Scalar(E.UInt8, 128))
            .Init("b", sb).Init("b_scale", Nd.Scalar(E.Float, 0.01)).Init("b_zp", Nd.Scalar(E.Int8, 0))
            .Init("y_scale", Nd.Scalar(E.Float, 0.1)).Init("y_zp", Nd.Scalar(E.UInt8, 128))
            .Op("QuantizeLinear", ["x", "a_scale", "a_zp"], ["a"])
            .Op("QLinearMatMul", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"], ["yq"])
            .Op("DequantizeLinear", ["yq", "y_scale", "y_zp"], ["y"]);
        corpus.Add(new ModelSpec("quant", "qlinearconv"))
            .In("x", E.UInt8, "N", 2, 5, 5)
            .Out("y", E.UInt8, "N", 3, 3, 3)
            .Init("x_scale", Nd.Scalar(E.Float, 0.02)).Init("x_zp", Nd.Scalar(E.UInt8, 128))
            .Init("w", Nd.Random(rng, E.Int8, [3, 2, 3, 3], -127, 128)).Init("w_scale", Nd.Scalar(E.Float, 0.005)).Init("w_zp", Nd.Scalar(E.Int8, 0))
            .Init("y_scale", Nd.Scalar(E.Float, 0.05)).Init("y_zp", Nd.Scalar(E.UInt8, 128))
            .Init("bias", Nd.Random(rng, E.Int32, [3], -100, 100))
            .Op("QLinearConv", ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp", "bias"], ["y"]);
        corpus.Add(new ModelSpec("quant", "dynamicquantizelinear"))
            .In("x", E.Float, "N", 8)
            .Out("y", E.UInt8, "N", 8)
            .Out("y_scale", E.Float)
            .Out("y_zp", E.UInt8)
            .Op("DynamicQuantizeLinear", ["x"], ["y", "y_scale", "y_zp"]);
        corpus.Add(new ModelSpec("quant", "dynamic-quantized-linear"))
            .In("x", E.Float, "N", 8)
            .Out("y", E.Float, "N", 4)
            .Init("w", b).Init("w_zp", Nd.Scalar(E.UInt8, 128)).Init("w_scale", Nd.Scalar(E.Float, 0.01))
            .Op("DynamicQuantizeLinear", ["x"], ["xq", "x_scale", "x_zp"])
            .Op("MatMulInteger", ["xq", "w", "x_zp", "w_zp"], ["acc"])
            .Op("Cast", ["acc"], ["accf"], A.ElementType("to", E.Float))
            .Op("Mul", ["x_scale", "w_scale"], ["s"])
            .Op("Mul", ["accf", "s"], ["y"]);
        corpus.Add(new ModelSpec("quant", "qlinearadd-contrib"))
            .In("a", E.UInt8, "N", 8).In("b", E.UInt8, "N", 8)
            .Out("c", E.UInt8, "N", 8)
            .Init("s", Nd.Scalar(E.Float, 0.05)).Init("zp", Nd.Scalar(E.UInt8, 128))
            .Domain("com.microsoft", 1, "qadd", "QLinearAdd", ["a", "s", "zp", "b", "s", "zp", "s", "zp"], ["c"])
            .Expecting("ok (an ONNX Runtime contrib operator, domain com.microsoft)");
    }
}
