namespace BenchDaemon.Workloads.Studies;

/// <summary>The studies <c>benchdaemon study</c> runs (docs/STUDIES.md).</summary>
public enum StudyKind
{
    /// <summary>Throughput over batch sizes with RTR, ASE and BSR against a baseline configuration.</summary>
    Batch,

    /// <summary>FP32 / FP16 / INT8 per provider and batch, speed-ups against native and same-provider FP32, drift.</summary>
    Precision,

    /// <summary>The standard-vs-optimised ladder (CPU → CUDA → TensorRT FP16 with engine cache).</summary>
    Providers,

    /// <summary>Image pipeline stages (decode, resize, crop, normalise, inference) at three image sizes.</summary>
    Pipeline,

    /// <summary>Samples per joule and power against throughput.</summary>
    Energy,

    /// <summary>Block stacks of growing depth: speed-up slope, retention and the width × batch ASE table.</summary>
    Depth,
}
