using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Conv, ConvTranspose and pooling in 1, 2 and 3 dimensions, with pads, strides, dilations and groups.</summary>
internal static class Convolution
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(303);

        void Conv2d(string name, long[] xShape, long[] wShape, bool bias, long group, long[] pads, long[] strides, long[] dilations)
        {
            var x = Nd.Random(rng, E.Float, xShape);
            var w = Nd.Random(rng, E.Float, wShape, -0.5, 0.5);
            var b = bias ? Nd.Random(rng, E.Float, [wShape[0]]) : null;
            var y = Reference(x, w, b, group, pads, strides, dilations);
            var m = corpus.Add(new ModelSpec("conv", name))
                .In("x", E.Float, ["N", .. xShape[1..].Select(d => (Workloads.Models.Graph.OnnxDim)d)])
                .Out("y", E.Float, ["N", .. y.Shape[1..].Select(d => (Workloads.Models.Graph.OnnxDim)d)])
                .Init("w", w);
            string[] inputs = ["x", "w"];
            if (b is not null)
            {
                m.Init("b", b);
                inputs = ["x", "w", "b"];
            }

            m.Op("Conv", inputs, ["y"], A.Int("group", group), A.Ints("pads", pads), A.Ints("strides", strides), A.Ints("dilations", dilations))
                .Feed("x", x)
                .Expect("y", y);
        }

        Conv2d("3x3-pad1", [1, 3, 8, 8], [4, 3, 3, 3], true, 1, [1, 1, 1, 1], [1, 1], [1, 1]);
        Conv2d("stride2", [2, 3, 9, 9], [6, 3, 3, 3], true, 1, [0, 0, 0, 0], [2, 2], [1, 1]);
        Conv2d("dilation2", [1, 2, 10, 10], [2, 2, 3, 3], false, 1, [0, 0, 0, 0], [1, 1], [2, 2]);
        Conv2d("depthwise", [1, 4, 6, 6], [4, 1, 3, 3], true, 4, [1, 1, 1, 1], [1, 1], [1, 1]);
        Conv2d("grouped", [1, 4, 6, 6], [6, 2, 3, 3], true, 2, [0, 0, 0, 0], [1, 1], [1, 1]);
        Conv2d("pointwise-no-bias", [2, 8, 5, 5], [4, 8, 1, 1], false, 1, [0, 0, 0, 0], [1, 1], [1, 1]);
        Conv2d("asymmetric-pads", [1, 2, 6, 6], [3, 2, 3, 3], true, 1, [0, 1, 2, 1], [1, 1], [1, 1]);
        Conv2d("rectangular-kernel", [1, 3, 7, 9], [2, 3, 1, 5], true, 1, [0, 2, 0, 2], [1, 2], [1, 1]);

        corpus.Add(new ModelSpec("conv", "auto-pad-same-upper"))
            .In("x", E.Float, "N", 3, 7, 7)
            .Out("y", E.Float, "N", 4, 4, 4)
            .Init("w", Nd.Random(rng, E.Float, [4, 3, 3, 3], -0.5, 0.5))
            .Op("Conv", ["x", "w"], ["y"], A.String("auto_pad", "SAME_UPPER"), A.Ints("strides", 2, 2));
        corpus.Add(new ModelSpec("conv", "1d"))
            .In("x", E.Float, "N", 2, 16)
            .Out("y", E.Float, "N", 3, 12)
            .Init("w", Nd.Random(rng, E.Float, [3, 2, 5], -0.5, 0.5))
            .Init("b", Nd.Random(rng, E.Float, [3]))
            .Op("Conv", ["x", "w", "b"], ["y"]);
        corpus.Add(new ModelSpec("conv", "3d"))
            .In("x", E.Float, "N", 1, 4, 6, 6)
            .Out("y", E.Float, "N", 2, 2, 4, 4)
            .Init("w", Nd.Random(rng, E.Float, [2, 1, 3, 3, 3], -0.5, 0.5))
            .Op("Conv", ["x", "w"], ["y"]);
        corpus.Add(new ModelSpec("conv", "input-weights"))
            .In("x", E.Float, 1, 3, 6, 6).In("w", E.Float, 2, 3, 3, 3)
            .Out("y", E.Float, 1, 2, 4, 4)
            .Op("Conv", ["x", "w"], ["y"]);

        // ConvTranspose: W is [C_in, C_out / group, k...].
        corpus.Add(new ModelSpec("convtranspose", "2d-stride2"))
            .In("x", E.Float, "N", 4, 4, 4)
            .Out("y", E.Float, "N", 2, 8, 8)
            .Init("w", Nd.Random(rng, E.Float, [4, 2, 3, 3], -0.5, 0.5))
            .Init("b", Nd.Random(rng, E.Float, [2]))
            .Op("ConvTranspose", ["x", "w", "b"], ["y"], A.Ints("strides", 2, 2), A.Ints("pads", 1, 1, 1, 1), A.Ints("output_padding", 1, 1));
        corpus.Add(new ModelSpec("convtranspose", "1d"))
            .In("x", E.Float, "N", 3, 10)
            .Out("y", E.Float, "N", 2, 13)
            .Init("w", Nd.Random(rng, E.Float, [3, 2, 4], -0.5, 0.5))
            .Op("ConvTranspose", ["x", "w"], ["y"]);
        corpus.Add(new ModelSpec("convtranspose", "output-shape"))
            .In("x", E.Float, "N", 2, 3, 3)
            .Out("y", E.Float, "N", 1, 8, 8)
            .Init("w", Nd.Random(rng, E.Float, [2, 1, 3, 3], -0.5, 0.5))
            .Op("ConvTranspose", ["x", "w"], ["y"], A.Ints("strides", 3, 3), A.Ints("output_shape", 8, 8));
        corpus.Add(new ModelSpec("convtranspose", "grouped"))
            .In("x", E.Float, "N", 4, 5, 5)
            .Out("y", E.Float, "N", 4, 7, 7)
            .Init("w", Nd.Random(rng, E.Float, [4, 2, 3, 3], -0.5, 0.5))
            .Op("ConvTranspose", ["x", "w"], ["y"], A.Int("group", 2));

        void Pool(string name, string op, long[] xShape, long[] kernel, long[] pads, long[] strides, bool includePad, params A[] extra)
        {
            var x = Nd.Random(rng, E.Float, xShape);
            var y = PoolReference(x, op == "MaxPool", kernel, pads, strides, includePad);
            A[] attributes = [A.Ints("kernel_shape", kernel), A.Ints("pads", pads), A.Ints("strides", strides), .. extra];
            corpus.Add(new ModelSpec("pool", name))
                .In("x", E.Float, ["N", .. xShape[1..].Select(d => (Workloads.Models.Graph.OnnxDim)d)])
                .Out("y", E.Float, ["N", .. y.Shape[1..].Select(d => (Workloads.Models.Graph.OnnxDim)d)])
                .Op(op, ["x"], ["y"], attributes)
                .Feed("x", x)
                .Expect("y", y);
        }

        Pool("maxpool-2x2", "MaxPool", [1, 3, 8, 8], [2, 2], [0, 0, 0, 0], [2, 2], false);
        Pool("maxpool-3x3-pad1", "MaxPool", [2, 3, 8, 8], [3, 3], [1, 1, 1, 1], [1, 1], false);
        Pool("averagepool-2x2", "AveragePool", [1, 3, 8, 8], [2, 2], [0, 0, 0, 0], [2, 2], false);
        Pool("averagepool-pad-include", "AveragePool", [1, 2, 6, 6], [3, 3], [1, 1, 1, 1], [1, 1], true, A.Int("count_include_pad", 1));
        Pool("averagepool-pad-exclude", "AveragePool", [1, 2, 6, 6], [3, 3], [1, 1, 1, 1], [2, 2], false);

        corpus.Add(new ModelSpec("pool", "maxpool-indices"))
            .In("x", E.Float, "N", 2, 6, 6)
            .Out("y", E.Float, "N", 2, 3, 3)
            .Out("i", E.Int64, "N", 2, 3, 3)
            .Op("MaxPool", ["x"], ["y", "i"], A.Ints("kernel_shape", 2, 2), A.Ints("strides", 2, 2));
        corpus.Add(new ModelSpec("pool", "maxpool-ceil-mode"))
            .In("x", E.Float, "N", 1, 7, 7)
            .Out("y", E.Float, "N", 1, 4, 4)
            .Op("MaxPool", ["x"], ["y"], A.Ints("kernel_shape", 2, 2), A.Ints("strides", 2, 2), A.Int("ceil_mode", 1));
        corpus.Add(new ModelSpec("pool", "maxpool-dilations"))
            .In("x", E.Float, "N", 1, 8, 8)
            .Out("y", E.Float, "N", 1, 6, 6)
            .Op("MaxPool", ["x"], ["y"], A.Ints("kernel_shape", 2, 2), A.Ints("dilations", 2, 2));
        corpus.Add(new ModelSpec("pool", "maxpool-1d"))
            .In("x", E.Float, "N", 2, 10)
            .Out("y", E.Float, "N", 2, 8)
            .Op("MaxPool", ["x"], ["y"], A.Ints("kernel_shape", 3));
        corpus.Add(new ModelSpec("pool", "maxpool-int8"))
            .In("x", E.Int8, "N", 2, 6, 6)
            .Out("y", E.Int8, "N", 2, 3, 3)
            .Op("MaxPool", ["x"], ["y"], A.Ints("kernel_shape", 2, 2), A.Ints("strides", 2, 2));
        corpus.Add(new ModelSpec("pool", "averagepool-3d"))
            .In("x", E.Float, "N", 1, 4, 4, 4)
            .Out("y", E.Float, "N", 1, 2, 2, 2)
            .Op("AveragePool", ["x"], ["y"], A.Ints("kernel_shape", 2, 2, 2), A.Ints("strides", 2, 2, 2));
        corpus.Add(new ModelSpec("pool", "lppool"))
            .In("x", E.Float, "N", 2, 6, 6)
            .Out("y", E.Float, "N", 2, 5, 5)
            .Op("LpPool", ["x"], ["y"], A.Ints("kernel_shape", 2, 2), A.Int("p", 2));

        var g = Nd.Random(rng, E.Float, [2, 3, 5, 5]);
        corpus.Add(new ModelSpec("pool", "globalaveragepool"))
            .In("x", E.Float, "N", 3, 5, 5)
            .Out("y", E.Float, "N", 3, 1, 1)
            .Op("GlobalAveragePool", ["x"], ["y"])
            .Feed("x", g)
            .Expect("y", g.Reduce([2, 3], true, v => v.Average()));
        corpus.Add(new ModelSpec("pool", "globalmaxpool"))
            .In("x", E.Float, "N", 3, 5, 5)
            .Out("y", E.Float, "N", 3, 1, 1)
            .Op("GlobalMaxPool", ["x"], ["y"])
            .Feed("x", g)
            .Expect("y", g.Reduce([2, 3], true, v => v.Max()));
        corpus.Add(new ModelSpec("pool", "globalaveragepool-1d"))
            .In("x", E.Float, "N", 4, 9)
            .Out("y", E.Float, "N", 4, 1)
            .Op("GlobalAveragePool", ["x"], ["y"]);
    }

    /// <summary>2-D convolution, NCHW; pads are [top, left, bottom, right].</summary>
    internal static Nd Reference(Nd x, Nd w, Nd? b, long group, long[] pads, long[] strides, long[] dilations)
    {
        long n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        long m = w.Shape[0], cg = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3];
        var oh = ((h + pads[0] + pads[2] - (dilations[0] * (kh - 1)) - 1) / strides[0]) + 1;
        var ow = ((wd + pads[1] + pads[3] - (dilations[1] * (kw - 1)) - 1) / strides[1]) + 1;
        var mg = m / group;
        var y = new double[n * m * oh * ow];
        for (long ni = 0; ni < n; ni++)
        {
            for (long mi = 0; mi < m; mi++)
            {
                var g = mi / mg;
                for (long i = 0; i < oh; i++)
                {
                    for (long j = 0; j < ow; j++)
                    {
                        var sum = b?.Data[mi] ?? 0;
                        for (long ci = 0; ci < cg; ci++)
                        {
                            for (long p = 0; p < kh; p++)
                            {
                                for (long q = 0; q < kw; q++)
                                {
                                    var r = (i * strides[0]) - pads[0] + (p * dilations[0]);
                                    var s = (j * strides[1]) - pads[1] + (q * dilations[1]);
                                    if (r >= 0 && r < h && s >= 0 && s < wd)
                                    {
                                        sum += x[ni, (g * cg) + ci, r, s] * w[mi, ci, p, q];
                                    }
                                }
                            }
                        }

                        y[(((((ni * m) + mi) * oh) + i) * ow) + j] = sum;
                    }
                }
            }
        }

        return new Nd(E.Float, [n, m, oh, ow], y);
    }

    /// <summary>2-D max or average pooling, NCHW, floor mode.</summary>
    private static Nd PoolReference(Nd x, bool max, long[] kernel, long[] pads, long[] strides, bool includePad)
    {
        long n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        var oh = ((h + pads[0] + pads[2] - kernel[0]) / strides[0]) + 1;
        var ow = ((wd + pads[1] + pads[3] - kernel[1]) / strides[1]) + 1;
        var y = new double[n * c * oh * ow];
        for (long ni = 0; ni < n; ni++)
        {
            for (long ci = 0; ci < c; ci++)
            {
                for (long i = 0; i < oh; i++)
                {
                    for (long j = 0; j < ow; j++)
                    {
                        var values = new List<double>();
                        long window = 0;
                        for (long p = 0; p < kernel[0]; p++)
                        {
                            for (long q = 0; q < kernel[1]; q++)
                            {
                                var r = (i * strides[0]) - pads[0] + p;
                                var s = (j * strides[1]) - pads[1] + q;
                                window++;
                                if (r >= 0 && r < h && s >= 0 && s < wd)
                                {
                                    values.Add(x[ni, ci, r, s]);
                                }
                            }
                        }

                        y[(((((ni * c) + ci) * oh) + i) * ow) + j] = max ? values.Max() : values.Sum() / (includePad ? window : values.Count);
                    }
                }
            }
        }

        return new Nd(E.Float, [n, c, oh, ow], y);
    }
}
