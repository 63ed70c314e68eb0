using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>
/// Adds float weights to a builder, as FLOAT or as FLOAT16 (each value rounded to the nearest
/// half), through two buffers it reuses. With a builder that streams its initializers to a file
/// (<see cref="OnnxModelBuilder.CreateInitializerStore"/>), generating a model then allocates
/// about its largest weight, not its size: an array per weight, although garbage at once, is
/// large-object-heap garbage, which the GC collected only every ~50 MB for bert-base FP16 and
/// let grow to 450 MB.
/// </summary>
internal sealed class WeightWriter(OnnxModelBuilder model, bool float16)
{
    private float[] _values = [];
    private Half[] _halves = [];

    /// <summary>
    /// Adds a weight of shape <paramref name="dims"/> drawn from <paramref name="random"/>, uniform in
    /// ±<paramref name="limit"/>: the values, in order, of <see cref="SplitMix64.NextUniform(int, float)"/>.
    /// </summary>
    public void Uniform(string name, long[] dims, SplitMix64 random, float limit)
    {
        var values = Values(dims);
        random.NextUniform(values, limit);
        Add(name, dims, values);
    }

    /// <summary>Adds a weight of shape <paramref name="dims"/> whose every element is <paramref name="value"/>.</summary>
    public void Filled(string name, long[] dims, float value)
    {
        var values = Values(dims);
        values.Fill(value);
        Add(name, dims, values);
    }

    /// <summary>Adds <paramref name="values"/> as a weight of shape <paramref name="dims"/>.</summary>
    public void Add(string name, long[] dims, ReadOnlySpan<float> values)
    {
        if (!float16)
        {
            model.Initializer(name, dims, values);
            return;
        }

        if (_halves.Length < values.Length)
        {
            _halves = new Half[values.Length];
        }

        var halves = _halves.AsSpan(0, values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            halves[i] = (Half)values[i];
        }

        model.Initializer(name, dims, halves);
    }

    private Span<float> Values(long[] dims)
    {
        var count = checked((int)OnnxTensors.ElementCount(dims));
        if (_values.Length < count)
        {
            _values = new float[count];
        }

        return _values.AsSpan(0, count);
    }
}
