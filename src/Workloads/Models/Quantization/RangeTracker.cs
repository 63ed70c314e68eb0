namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>
/// Collects the range of one tensor over the calibration batches: the extremes for
/// <see cref="CalibrationMethod.MinMax"/>, or, for <see cref="CalibrationMethod.Percentile"/>, the
/// value just inside the clipped tail at each end. The tail of a percentile like 99.999 holds
/// only a few values per million, so keeping the <c>k + 1</c> most extreme values in two small
/// heaps gives exact order statistics in bounded memory, without a histogram.
/// </summary>
internal sealed class RangeTracker(string tensor, CalibrationMethod method, double percentile, int batches)
{
    private readonly PriorityQueue<float, float> _largest = new();
    private readonly PriorityQueue<float, float> _smallest = new();
    private int _keep;
    private float _min = float.PositiveInfinity;
    private float _max = float.NegativeInfinity;

    // Least extreme value kept in each heap once it is full: most values fail this one test.
    private float _largestFloor = float.NegativeInfinity;
    private float _smallestCeiling = float.PositiveInfinity;

    public long Count { get; private set; }

    /// <exception cref="InvalidOperationException">A value is NaN or infinite: no finite range can hold it.</exception>
    public void Add(ReadOnlySpan<float> values)
    {
        if (method == CalibrationMethod.Percentile && _keep == 0)
        {
            // Every batch has the same shape, so the first one tells the total.
            var tail = (100.0 - percentile) / 200.0;
            _keep = (int)Math.Min(1 << 20, Math.Floor((double)values.Length * batches * tail)) + 1;
        }

        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                throw new InvalidOperationException(
                    $"Calibration: tensor '{tensor}' holds {v}; a tensor with non-finite values cannot be quantized.");
            }

            _min = Math.Min(_min, v);
            _max = Math.Max(_max, v);
            if (_keep > 0)
            {
                if (v > _largestFloor)
                {
                    _largestFloor = Keep(_largest, v, v);
                }

                if (v < _smallestCeiling)
                {
                    _smallestCeiling = -Keep(_smallest, v, -v);
                }
            }
        }

        Count += values.Length;
    }

    /// <summary>The calibrated range; (0, 0) when no value was seen.</summary>
    public (float Min, float Max) Range =>
        Count == 0 ? (0, 0)
        : _keep > 0 ? (_smallest.Peek(), _largest.Peek())
        : (_min, _max);

    // Keeps the _keep values of highest priority and returns the priority a newcomer must beat
    // (−∞ while the heap is not full).
    private float Keep(PriorityQueue<float, float> heap, float value, float priority)
    {
        if (heap.Count < _keep)
        {
            heap.Enqueue(value, priority);
        }
        else
        {
            heap.DequeueEnqueue(value, priority);
        }

        return heap.Count < _keep ? float.NegativeInfinity : heap.TryPeek(out _, out var least) ? least : float.NegativeInfinity;
    }
}
