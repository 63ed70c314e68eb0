namespace BenchDaemon.Workloads.Canaries;

/// <summary>Where a GPU canary's inputs and outputs live while it is measured (<c>Canaries:N:GpuIo</c>).</summary>
public enum GpuIo
{
    /// <summary>
    /// In the GPU's memory, bound with IOBinding: inputs are copied to the device once, outputs
    /// stay there, so every timed call is the inference alone (with the GPU's completion in it).
    /// The default; required for CUDA graphs (<c>enable_cuda_graph</c>).
    /// </summary>
    Device,

    /// <summary>
    /// Host inputs and outputs every call, as a server without device-resident tensors runs: each
    /// call copies the inputs host → device, runs, and copies the outputs device → host, and the
    /// three are reported apart (<c>stage</c> host_to_device, inference, device_to_host).
    /// </summary>
    EndToEnd,
}
