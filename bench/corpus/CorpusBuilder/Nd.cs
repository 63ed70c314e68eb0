using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Bench.Corpus;

/// <summary>
/// A small dense tensor for test data: an ONNX element type, a shape and the values as doubles
/// (every value is held at the precision of its element type, so a float result computed in
/// double and rounded once is what a correctly rounded float kernel gives). Just enough of
/// NumPy to compute the expected outputs of simple operators; a reference, not a fast one.
/// </summary>
internal sealed class Nd
{
    public Nd(OnnxElementType type, long[] shape, double[] data)
    {
        if (Size(shape) != data.Length)
        {
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] needs {Size(shape)} values, got {data.Length}", nameof(data));
        }

        Type = type;
        Shape = shape;
        Data = [.. data.Select(v => Round(type, v))];
    }

    public OnnxElementType Type { get; }

    public long[] Shape { get; }

    public double[] Data { get; }

    public int Rank => Shape.Length;

    public static long Size(long[] shape) => shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Values uniform in [low, high): rounded to the element type, integers floored, booleans a coin.</summary>
    public static Nd Random(Rng rng, OnnxElementType type, long[] shape, double low = -1, double high = 1)
    {
        var data = new double[Size(shape)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = type switch
            {
                OnnxElementType.Bool => rng.Next() & 1,
                _ when IsFloat(type) => rng.Uniform(low, high),
                _ => Math.Floor(rng.Uniform(low, high)),
            };
        }

        return new Nd(type, shape, data);
    }

    public static Nd Of(OnnxElementType type, long[] shape, params double[] data) => new(type, shape, data);

    public static Nd Scalar(OnnxElementType type, double value) => new(type, [], [value]);

    public static Nd Vector(OnnxElementType type, params double[] data) => new(type, [data.Length], data);

    public static Nd Filled(OnnxElementType type, long[] shape, double value) => new(type, shape, Enumerable.Repeat(value, (int)Size(shape)).ToArray());

    public static bool IsFloat(OnnxElementType type) =>
        type is OnnxElementType.Float or OnnxElementType.Double or OnnxElementType.Float16 or OnnxElementType.BFloat16;

    /// <summary>A value at the precision of <paramref name="type"/> (ONNX Cast semantics for integers: truncation).</summary>
    public static double Round(OnnxElementType type, double v) => type switch
    {
        OnnxElementType.Float => (float)v,
        OnnxElementType.Float16 => (double)(Half)v,
        OnnxElementType.Double => v,
        OnnxElementType.Bool => v != 0 ? 1 : 0,
        _ => double.IsNaN(v) ? 0 : Math.Truncate(v),
    };

    public double this[params long[] index] => Data[Offset(index, Shape)];

    public Nd Map(Func<double, double> f, OnnxElementType? type = null) => new(type ?? Type, Shape, [.. Data.Select(f)]);

    public Nd Cast(OnnxElementType type) => Map(v => v, type);

    public Nd Reshape(params long[] shape) => new(Type, shape, Data);

    /// <summary>Elementwise over NumPy-broadcast operands.</summary>
    public static Nd Zip(Func<double[], double> f, OnnxElementType type, params Nd[] operands)
    {
        var rank = operands.Max(o => o.Rank);
        var shape = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            shape[i] = 1;
            foreach (var o in operands)
            {
                var j = i - (rank - o.Rank);
                if (j >= 0 && o.Shape[j] != 1)
                {
                    shape[i] = o.Shape[j];
                }
            }
        }

        var data = new double[Size(shape)];
        var args = new double[operands.Length];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, shape);
            for (var k = 0; k < operands.Length; k++)
            {
                var o = operands[k];
                var own = new long[o.Rank];
                for (var j = 0; j < o.Rank; j++)
                {
                    own[j] = o.Shape[j] == 1 ? 0 : index[j + (rank - o.Rank)];
                }

                args[k] = o.Data[Offset(own, o.Shape)];
            }

            data[flat] = f(args);
        }

        return new Nd(type, shape, data);
    }

    public static Nd Zip(Nd a, Nd b, Func<double, double, double> f, OnnxElementType? type = null) =>
        Zip(v => f(v[0], v[1]), type ?? a.Type, a, b);

    public Nd Expand(params long[] shape) => Zip(v => v[0], Type, this, Filled(Type, shape, 0));

    public Nd Transpose(params int[] perm)
    {
        perm = perm.Length == 0 ? [.. Enumerable.Range(0, Rank).Reverse()] : perm;
        var shape = perm.Select(p => Shape[p]).ToArray();
        var data = new double[Data.Length];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, shape);
            var source = new long[Rank];
            for (var i = 0; i < Rank; i++)
            {
                source[perm[i]] = index[i];
            }

            data[flat] = Data[Offset(source, Shape)];
        }

        return new Nd(Type, shape, data);
    }

    public static Nd Concat(int axis, params Nd[] parts)
    {
        var first = parts[0];
        axis = axis < 0 ? axis + first.Rank : axis;
        var shape = (long[])first.Shape.Clone();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        var data = new double[Size(shape)];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, shape);
            var at = index[axis];
            foreach (var p in parts)
            {
                if (at < p.Shape[axis])
                {
                    index[axis] = at;
                    data[flat] = p.Data[Offset(index, p.Shape)];
                    break;
                }

                at -= p.Shape[axis];
            }
        }

        return new Nd(first.Type, shape, data);
    }

    /// <summary>Slices along <paramref name="axis"/>: [start, end) with a step of one.</summary>
    public Nd Narrow(int axis, long start, long end) => Slice([start], [end], [axis], [1]);

    public Nd Slice(long[] starts, long[] ends, long[] axes, long[] steps)
    {
        var begin = new long[Rank];
        var step = Enumerable.Repeat(1L, Rank).ToArray();
        var shape = (long[])Shape.Clone();
        for (var k = 0; k < axes.Length; k++)
        {
            var axis = (int)(axes[k] < 0 ? axes[k] + Rank : axes[k]);
            var dim = Shape[axis];
            long Clamp(long v, long low, long high) => Math.Min(Math.Max(v < 0 ? v + dim : v, low), high);
            if (steps[k] > 0)
            {
                var s = Clamp(starts[k], 0, dim);
                var e = Clamp(ends[k], 0, dim);
                begin[axis] = s;
                shape[axis] = Math.Max(0, (e - s + steps[k] - 1) / steps[k]);
            }
            else
            {
                var s = Clamp(starts[k], 0, dim - 1);
                var e = Clamp(ends[k], -1, dim - 1);
                begin[axis] = s;
                shape[axis] = Math.Max(0, (s - e + (-steps[k]) - 1) / -steps[k]);
            }

            step[axis] = steps[k];
        }

        var data = new double[Size(shape)];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, shape);
            for (var i = 0; i < Rank; i++)
            {
                index[i] = begin[i] + (index[i] * step[i]);
            }

            data[flat] = Data[Offset(index, Shape)];
        }

        return new Nd(Type, shape, data);
    }

    /// <summary>ONNX Gather: the slices of <paramref name="axis"/> named by <paramref name="indices"/> (negative from the end).</summary>
    public Nd Gather(int axis, Nd indices)
    {
        axis = axis < 0 ? axis + Rank : axis;
        var shape = Shape[..axis].Concat(indices.Shape).Concat(Shape[(axis + 1)..]).ToArray();
        var data = new double[Size(shape)];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, shape);
            var inner = index[axis..(axis + indices.Rank)];
            var at = (long)indices.Data[Offset(inner, indices.Shape)];
            at = at < 0 ? at + Shape[axis] : at;
            var source = index[..axis].Append(at).Concat(index[(axis + indices.Rank)..]).ToArray();
            data[flat] = Data[Offset(source, Shape)];
        }

        return new Nd(Type, shape, data);
    }

    /// <summary>ONNX GatherElements: out[i][j][k] = data[i][index[i][j][k]][k] for axis 1.</summary>
    public Nd GatherElements(int axis, Nd indices)
    {
        axis = axis < 0 ? axis + Rank : axis;
        var data = new double[indices.Data.Length];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, indices.Shape);
            var at = (long)indices.Data[flat];
            index[axis] = at < 0 ? at + Shape[axis] : at;
            data[flat] = Data[Offset(index, Shape)];
        }

        return new Nd(Type, indices.Shape, data);
    }

    /// <summary>ONNX ScatterElements without reduction.</summary>
    public Nd ScatterElements(int axis, Nd indices, Nd updates)
    {
        axis = axis < 0 ? axis + Rank : axis;
        var data = (double[])Data.Clone();
        for (long flat = 0; flat < indices.Data.Length; flat++)
        {
            var index = Unravel(flat, indices.Shape);
            var at = (long)indices.Data[flat];
            index[axis] = at < 0 ? at + Shape[axis] : at;
            data[Offset(index, Shape)] = updates.Data[flat];
        }

        return new Nd(Type, Shape, data);
    }

    /// <summary>A reduction over <paramref name="axes"/> (all when empty).</summary>
    public Nd Reduce(long[] axes, bool keepDims, Func<IReadOnlyList<double>, double> reduce, OnnxElementType? type = null)
    {
        var set = (axes.Length == 0 ? Enumerable.Range(0, Rank).Select(a => (long)a) : axes.Select(a => a < 0 ? a + Rank : a)).ToHashSet();
        var kept = Enumerable.Range(0, Rank).Select(i => set.Contains(i) ? 1 : Shape[i]).ToArray();
        var groups = new List<double>[Size(kept)];
        for (var g = 0; g < groups.Length; g++)
        {
            groups[g] = [];
        }

        for (long flat = 0; flat < Data.Length; flat++)
        {
            var index = Unravel(flat, Shape);
            foreach (var a in set)
            {
                index[a] = 0;
            }

            groups[Offset(index, kept)].Add(Data[flat]);
        }

        var shape = keepDims ? kept : Enumerable.Range(0, Rank).Where(i => !set.Contains(i)).Select(i => Shape[i]).ToArray();
        return new Nd(type ?? Type, shape, [.. groups.Select(g => reduce(g))]);
    }

    /// <summary>Softmax (or log-softmax) along <paramref name="axis"/>, computed in double.</summary>
    public Nd Softmax(int axis, bool log = false)
    {
        axis = axis < 0 ? axis + Rank : axis;
        var max = Reduce([axis], true, g => g.Max());
        var shifted = Zip(this, max, (x, m) => x - m, OnnxElementType.Double);
        var sum = shifted.Reduce([axis], true, g => g.Sum(Math.Exp));
        return Zip(shifted, sum, (x, s) => log ? x - Math.Log(s) : Math.Exp(x) / s, Type);
    }

    /// <summary>Matrix product of rank-2 operands, or batched over a shared leading dimension.</summary>
    public Nd MatMul(Nd b, OnnxElementType? type = null)
    {
        if (Rank == 3 && b.Rank == 3)
        {
            var slices = Enumerable.Range(0, (int)Shape[0])
                .Select(i => Narrow(0, i, i + 1).Reshape(Shape[1], Shape[2]).MatMul(b.Narrow(0, i, i + 1).Reshape(b.Shape[1], b.Shape[2]), type))
                .Select(s => s.Reshape([1, .. s.Shape]))
                .ToArray();
            return Concat(0, slices);
        }

        long m = Shape[0], k = Shape[1], n = b.Shape[1];
        var data = new double[m * n];
        for (long i = 0; i < m; i++)
        {
            for (long j = 0; j < n; j++)
            {
                double sum = 0;
                for (long t = 0; t < k; t++)
                {
                    sum += Data[(i * k) + t] * b.Data[(t * n) + j];
                }

                data[(i * n) + j] = sum;
            }
        }

        return new Nd(type ?? Type, [m, n], data);
    }

    public Nd Tile(params long[] repeats)
    {
        var shape = Shape.Select((d, i) => d * repeats[i]).ToArray();
        var data = new double[Size(shape)];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, shape);
            for (var i = 0; i < Rank; i++)
            {
                index[i] %= Shape[i];
            }

            data[flat] = Data[Offset(index, Shape)];
        }

        return new Nd(Type, shape, data);
    }

    /// <summary>Constant padding; <paramref name="pads"/> as ONNX lists them (all begins, then all ends).</summary>
    public Nd Pad(long[] pads, double value)
    {
        var shape = Shape.Select((d, i) => d + pads[i] + pads[i + Rank]).ToArray();
        var data = new double[Size(shape)];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, shape);
            var inside = true;
            for (var i = 0; i < Rank; i++)
            {
                index[i] -= pads[i];
                inside &= index[i] >= 0 && index[i] < Shape[i];
            }

            data[flat] = inside ? Data[Offset(index, Shape)] : value;
        }

        return new Nd(Type, shape, data);
    }

    public Nd CumSum(int axis)
    {
        axis = axis < 0 ? axis + Rank : axis;
        var data = (double[])Data.Clone();
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, Shape);
            if (index[axis] > 0)
            {
                index[axis]--;
                data[flat] = Round(Type, data[flat] + data[Offset(index, Shape)]);
            }
        }

        return new Nd(Type, Shape, data);
    }

    public Nd ArgMax(int axis, bool keepDims, bool min = false)
    {
        axis = axis < 0 ? axis + Rank : axis;
        var positions = Enumerable.Range(0, (int)Shape[axis]).ToArray();
        var kept = Shape.Select((d, i) => i == axis ? 1 : d).ToArray();
        var data = new double[Size(kept)];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, kept);
            var best = 0L;
            foreach (var p in positions)
            {
                index[axis] = p;
                var v = Data[Offset(index, Shape)];
                index[axis] = best;
                var b = Data[Offset(index, Shape)];
                if (min ? v < b : v > b)
                {
                    best = p;
                }
            }

            data[flat] = best;
        }

        var shape = keepDims ? kept : Shape.Where((_, i) => i != axis).ToArray();
        return new Nd(OnnxElementType.Int64, shape, data);
    }

    /// <summary>The test-data tensor of this value.</summary>
    public OnnxTestTensor ToTest() => Type switch
    {
        OnnxElementType.Float => OnnxTestTensor.Of<float>(Type, Shape, Data.Select(v => (float)v).ToArray()),
        OnnxElementType.Double => OnnxTestTensor.Of<double>(Type, Shape, Data),
        OnnxElementType.Float16 => OnnxTestTensor.Of<Half>(Type, Shape, Data.Select(v => (Half)v).ToArray()),
        OnnxElementType.Int64 => OnnxTestTensor.Of<long>(Type, Shape, Data.Select(v => (long)v).ToArray()),
        OnnxElementType.Int32 => OnnxTestTensor.Of<int>(Type, Shape, Data.Select(v => (int)v).ToArray()),
        OnnxElementType.Int16 => OnnxTestTensor.Of<short>(Type, Shape, Data.Select(v => (short)v).ToArray()),
        OnnxElementType.Int8 => OnnxTestTensor.Of<sbyte>(Type, Shape, Data.Select(v => (sbyte)v).ToArray()),
        OnnxElementType.UInt64 => OnnxTestTensor.Of<ulong>(Type, Shape, Data.Select(v => (ulong)v).ToArray()),
        OnnxElementType.UInt32 => OnnxTestTensor.Of<uint>(Type, Shape, Data.Select(v => (uint)v).ToArray()),
        OnnxElementType.UInt16 => OnnxTestTensor.Of<ushort>(Type, Shape, Data.Select(v => (ushort)v).ToArray()),
        OnnxElementType.UInt8 => OnnxTestTensor.Of<byte>(Type, Shape, Data.Select(v => (byte)v).ToArray()),
        OnnxElementType.Bool => OnnxTestTensor.Of<bool>(Type, Shape, Data.Select(v => v != 0).ToArray()),
        _ => throw new NotSupportedException($"no test tensor of {Type}"),
    };

    public float[] Floats() => [.. Data.Select(v => (float)v)];

    public Half[] Halves() => [.. Data.Select(v => (Half)v)];

    public double[] Doubles() => Data;

    public long[] Longs() => [.. Data.Select(v => (long)v)];

    public int[] Ints() => [.. Data.Select(v => (int)v)];

    public byte[] Bytes() => [.. Data.Select(v => (byte)v)];

    public sbyte[] SBytes() => [.. Data.Select(v => (sbyte)v)];

    public static long[] Unravel(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] > 0)
            {
                index[i] = flat % shape[i];
                flat /= shape[i];
            }
        }

        return index;
    }

    public static long Offset(long[] index, long[] shape)
    {
        long offset = 0;
        for (var i = 0; i < shape.Length; i++)
        {
            offset = (offset * shape[i]) + index[i];
        }

        return offset;
    }
}
