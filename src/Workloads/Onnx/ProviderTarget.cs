namespace BenchDaemon.Workloads.Onnx;

/// <summary>A GPU provider on one device, to be checked for usability.</summary>
/// <param name="Provider">ONNX Runtime's provider name (<c>CUDAExecutionProvider</c>) or a short one (<c>CUDA</c>).</param>
/// <param name="Device">The CUDA device index (<c>device_id</c>).</param>
public sealed record ProviderTarget(string Provider, int Device);
