using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>Normalization layers, Softmax and its relatives.</summary>
internal static class Normalization
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(404);

        // BatchNormalization (inference): y = scale * (x - mean) / sqrt(var + eps) + bias, per channel.
        var x = Nd.Random(rng, E.Float, [2, 3, 4, 4]);
        var scale = Nd.Random(rng, E.Float, [3], 0.5, 1.5);
        var bias = Nd.Random(rng, E.Float, [3]);
        var mean = Nd.Random(rng, E.Float, [3], -0.2, 0.2);
        var variance = Nd.Random(rng, E.Float, [3], 0.5, 2);
        var perChannel = (Func<Nd, Nd>)(v => v.Reshape(3, 1, 1));
        var bn = Nd.Zip(
            v => (v[1] * (v[0] - v[3]) / Math.Sqrt(v[4] + 1e-5f)) + v[2],
            E.Float,
            x, perChannel(scale), perChannel(bias), perChannel(mean), perChannel(variance));
        corpus.Add(new ModelSpec("norm", "batchnorm"))
            .In("x", E.Float, "N", 3, 4, 4)
            .Out("y", E.Float, "N", 3, 4, 4)
            .Init("scale", scale).Init("bias", bias).Init("mean", mean).Init("var", variance)
            .Op("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"])
            .Feed("x", x)
            .Expect("y", bn);
        corpus.Add(new ModelSpec("norm", "batchnorm-2d-input"))
            .In("x", E.Float, "N", 3)
            .Out("y", E.Float, "N", 3)
            .Init("scale", scale).Init("bias", bias).Init("mean", mean).Init("var", variance)
            .Op("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], A.Float("epsilon", 1e-3f));

        // LayerNormalization (opset 17) over the last axis, and over the last two.
        var lx = Nd.Random(rng, E.Float, [2, 5, 8]);
        var gamma = Nd.Random(rng, E.Float, [8], 0.5, 1.5);
        var beta = Nd.Random(rng, E.Float, [8]);
        corpus.Add(new ModelSpec("norm", "layernorm"))
            .In("x", E.Float, "N", 5, 8)
            .Out("y", E.Float, "N", 5, 8)
            .Init("gamma", gamma).Init("beta", beta)
            .Op("LayerNormalization", ["x", "gamma", "beta"], ["y"], A.Int("axis", -1))
            .Feed("x", lx)
            .Expect("y", Nd.Zip(v => (v[0] * v[1]) + v[2], E.Float, LayerNorm(lx, [2], 1e-5f), gamma, beta));
        corpus.Add(new ModelSpec("norm", "layernorm-no-bias"))
            .In("x", E.Float, "N", 5, 8)
            .Out("y", E.Float, "N", 5, 8)
            .Init("gamma", gamma)
            .Op("LayerNormalization", ["x", "gamma"], ["y"], A.Int("axis", -1))
            .Feed("x", lx)
            .Expect("y", Nd.Zip(v => v[0] * v[1], E.Float, LayerNorm(lx, [2], 1e-5f), gamma));
        var gamma2 = Nd.Random(rng, E.Float, [5, 8], 0.5, 1.5);
        corpus.Add(new ModelSpec("norm", "layernorm-two-axes"))
            .In("x", E.Float, "N", 5, 8)
            .Out("y", E.Float, "N", 5, 8)
            .Init("gamma", gamma2)
            .Op("LayerNormalization", ["x", "gamma"], ["y"], A.Int("axis", 1), A.Float("epsilon", 1e-3f))
            .Feed("x", lx)
            .Expect("y", Nd.Zip(v => v[0] * v[1], E.Float, LayerNorm(lx, [1, 2], 1e-3f), gamma2));
        corpus.Add(new ModelSpec("norm", "layernorm-mean-invstd-outputs"))
            .In("x", E.Float, "N", 5, 8)
            .Out("y", E.Float, "N", 5, 8)
            .Out("mean", E.Float, "N", 5, 1)
            .Out("invstd", E.Float, "N", 5, 1)
            .Init("gamma", gamma)
            .Op("LayerNormalization", ["x", "gamma"], ["y", "mean", "invstd"]);

        // InstanceNormalization: per sample and channel over H, W.
        var ix = Nd.Random(rng, E.Float, [2, 3, 4, 5]);
        var iscale = Nd.Random(rng, E.Float, [3], 0.5, 1.5);
        var ibias = Nd.Random(rng, E.Float, [3]);
        corpus.Add(new ModelSpec("norm", "instancenorm"))
            .In("x", E.Float, "N", 3, 4, 5)
            .Out("y", E.Float, "N", 3, 4, 5)
            .Init("scale", iscale).Init("bias", ibias)
            .Op("InstanceNormalization", ["x", "scale", "bias"], ["y"])
            .Feed("x", ix)
            .Expect("y", Nd.Zip(v => (v[0] * v[1]) + v[2], E.Float, LayerNorm(ix, [2, 3], 1e-5f), iscale.Reshape(3, 1, 1), ibias.Reshape(3, 1, 1)));

        // GroupNormalization: scale and bias per channel since opset 21.
        corpus.Add(new ModelSpec("norm", "groupnorm", 21))
            .In("x", E.Float, "N", 4, 3, 3)
            .Out("y", E.Float, "N", 4, 3, 3)
            .Init("scale", Nd.Random(rng, E.Float, [4], 0.5, 1.5)).Init("bias", Nd.Random(rng, E.Float, [4]))
            .Op("GroupNormalization", ["x", "scale", "bias"], ["y"], A.Int("num_groups", 2));
        corpus.Add(new ModelSpec("norm", "lrn"))
            .In("x", E.Float, "N", 5, 4, 4)
            .Out("y", E.Float, "N", 5, 4, 4)
            .Op("LRN", ["x"], ["y"], A.Int("size", 3));
        var mx = Nd.Random(rng, E.Float, [2, 3, 2, 2]);
        corpus.Add(new ModelSpec("norm", "meanvariancenorm"))
            .In("x", E.Float, "N", 3, 2, 2)
            .Out("y", E.Float, "N", 3, 2, 2)
            .Op("MeanVarianceNormalization", ["x"], ["y"])
            .Feed("x", mx)
            .Expect("y", LayerNorm(mx, [0, 2, 3], 1e-9));
        var px = Nd.Random(rng, E.Float, [3, 4]);
        corpus.Add(new ModelSpec("norm", "lpnorm-l2"))
            .In("x", E.Float, 3, 4)
            .Out("y", E.Float, 3, 4)
            .Op("LpNormalization", ["x"], ["y"], A.Int("axis", 1), A.Int("p", 2))
            .Feed("x", px)
            .Expect("y", Nd.Zip(px, px.Reduce([1], true, g => Math.Sqrt(g.Sum(v => v * v))), (v, n) => v / n));

        // Softmax family.
        var sx = Nd.Random(rng, E.Float, [2, 10], -3, 3);
        corpus.Add(new ModelSpec("softmax", "last-axis"))
            .In("x", E.Float, "N", 10)
            .Out("y", E.Float, "N", 10)
            .Op("Softmax", ["x"], ["y"])
            .Feed("x", sx)
            .Expect("y", sx.Softmax(-1));
        var s3 = Nd.Random(rng, E.Float, [2, 3, 4], -3, 3);
        corpus.Add(new ModelSpec("softmax", "axis1"))
            .In("x", E.Float, 2, 3, 4)
            .Out("y", E.Float, 2, 3, 4)
            .Op("Softmax", ["x"], ["y"], A.Int("axis", 1))
            .Feed("x", s3)
            .Expect("y", s3.Softmax(1));
        corpus.Add(new ModelSpec("softmax", "logsoftmax"))
            .In("x", E.Float, "N", 10)
            .Out("y", E.Float, "N", 10)
            .Op("LogSoftmax", ["x"], ["y"])
            .Feed("x", sx)
            .Expect("y", sx.Softmax(-1, log: true));
        corpus.Add(new ModelSpec("softmax", "hardmax"))
            .In("x", E.Float, "N", 10)
            .Out("y", E.Float, "N", 10)
            .Op("Hardmax", ["x"], ["y"])
            .Feed("x", sx)
            .Expect("y", OneHotOfArgMax(sx));
        // Opset 11 Softmax flattens to 2-D at axis: over the last two axes of [2, 3, 4] here.
        corpus.Add(new ModelSpec("softmax", "opset11-coerced", 11))
            .In("x", E.Float, 2, 3, 4)
            .Out("y", E.Float, 2, 3, 4)
            .Op("Softmax", ["x"], ["y"], A.Int("axis", 1))
            .Feed("x", s3)
            .Expect("y", s3.Reshape(2, 12).Softmax(1).Reshape(2, 3, 4));
        corpus.Add(new ModelSpec("softmax", "double"))
            .In("x", E.Double, "N", 6)
            .Out("y", E.Double, "N", 6)
            .Op("Softmax", ["x"], ["y"]);
        corpus.Add(new ModelSpec("softmax", "symbolic-classes"))
            .In("x", E.Float, "N", "classes")
            .Out("y", E.Float, "N", "classes")
            .Op("Softmax", ["x"], ["y"])
            .Dim("classes", 7);
    }

    // (x - mean) / sqrt(var + eps) over axes, computed in double.
    private static Nd LayerNorm(Nd x, long[] axes, double epsilon)
    {
        var mean = x.Reduce(axes, true, g => g.Average(), E.Double);
        var variance = Nd.Zip(x, mean, (v, m) => (v - m) * (v - m), E.Double).Reduce(axes, true, g => g.Average());
        return Nd.Zip(v => (v[0] - v[1]) / Math.Sqrt(v[2] + epsilon), x.Type, x, mean, variance);
    }

    private static Nd OneHotOfArgMax(Nd x)
    {
        var arg = x.ArgMax(1, true);
        return Nd.Zip(v => v[0] == v[1] ? 1 : 0, E.Float, Nd.Vector(E.Int64, [.. Enumerable.Range(0, (int)x.Shape[1]).Select(i => (double)i)]), arg);
    }
}
