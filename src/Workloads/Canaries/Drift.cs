namespace BenchDaemon.Workloads.Canaries;

/// <summary>Compares two flattened outputs (reference and candidate).</summary>
public static class Drift
{
    /// <summary>
    /// Max absolute error, cosine similarity and, when <paramref name="classes"/> &gt; 1, the
    /// share of rows of <paramref name="classes"/> values whose arg-max agrees.
    /// </summary>
    public static DriftResult Compare(string reference, IReadOnlyList<double> expected, IReadOnlyList<double> actual, long classes)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Count != actual.Count)
        {
            throw new ArgumentException("outputs differ in length", nameof(actual));
        }

        double maxAbs = 0, dot = 0, normE = 0, normA = 0;
        for (var i = 0; i < expected.Count; i++)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(expected[i] - actual[i]));
            dot += expected[i] * actual[i];
            normE += expected[i] * expected[i];
            normA += actual[i] * actual[i];
        }

        var cosine = normE == 0 && normA == 0 ? 1 : normE == 0 || normA == 0 ? 0 : dot / (Math.Sqrt(normE) * Math.Sqrt(normA));
        double? top1 = null;
        if (classes > 1 && expected.Count % classes == 0)
        {
            var rows = expected.Count / (int)classes;
            var agree = 0;
            for (var r = 0; r < rows; r++)
            {
                if (ArgMax(expected, r * (int)classes, (int)classes) == ArgMax(actual, r * (int)classes, (int)classes))
                {
                    agree++;
                }
            }

            top1 = rows == 0 ? null : agree / (double)rows;
        }

        return new DriftResult(reference, maxAbs, Math.Clamp(cosine, -1, 1), top1);
    }

    private static int ArgMax(IReadOnlyList<double> values, int start, int count)
    {
        var best = start;
        for (var i = start + 1; i < start + count; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best - start;
    }
}
