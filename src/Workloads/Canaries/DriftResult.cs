namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Output difference of a reduced-precision canary against its FP32 reference on the same
/// inputs, over the first output tensor.
/// </summary>
/// <param name="Reference">The FP32 model compared against.</param>
/// <param name="MaxAbsError">Largest absolute element difference.</param>
/// <param name="CosineSimilarity">Cosine of the angle between the flattened outputs (1 = same direction).</param>
/// <param name="Top1Agreement">Share of rows whose arg-max agrees (classifier outputs); null when the output has no class axis.</param>
public sealed record DriftResult(string Reference, double MaxAbsError, double CosineSimilarity, double? Top1Agreement);
