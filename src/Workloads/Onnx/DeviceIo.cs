using System.Diagnostics;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// A GPU canary's inputs and outputs in the GPU's memory, bound with IOBinding (ONNX Runtime's
/// CUDA <see cref="OrtMemoryInfo"/>, an <see cref="OrtAllocator"/> of the session): device
/// tensors at fixed addresses (what CUDA graphs need), filled and read back with the CUDA driver's
/// copies (a host span over a device pointer is never touched: microsoft/onnxruntime#22583).
/// <see cref="GpuIo.Device"/> copies the inputs once; <see cref="GpuIo.EndToEnd"/> copies inputs
/// and outputs every call and times the three stages apart.
/// </summary>
internal sealed unsafe class DeviceIo : IDisposable
{
    private readonly OrtMemoryInfo _memory;
    private readonly OrtAllocator _allocator;
    private readonly int _device;
    private int _handle;
    private int _calls;
    private readonly List<(string Name, OrtValue Host, OrtValue Device, nuint Bytes)> _inputs = [];
    private readonly List<(string Name, OrtValue Host, OrtValue Device, nuint Bytes)> _outputs = [];
    private bool _contextRetained;

    private DeviceIo(InferenceSession session, int device)
    {
        _device = device;
        _memory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, device, OrtMemType.Default);
        _allocator = new OrtAllocator(session, _memory);
    }

    /// <summary>Starts the stage means afresh (the measured window begins; warm-up calls do not count).</summary>
    public void ResetStages()
    {
        _calls = 0;
        HostToDeviceSeconds = InferenceSeconds = DeviceToHostSeconds = 0;
    }

    /// <summary>Mean seconds per call of each stage (end-to-end mode).</summary>
    public double HostToDeviceSeconds { get; private set; }

    /// <inheritdoc cref="HostToDeviceSeconds"/>
    public double InferenceSeconds { get; private set; }

    /// <inheritdoc cref="HostToDeviceSeconds"/>
    public double DeviceToHostSeconds { get; private set; }

    /// <summary>The outputs as host tensors, valid after <see cref="CopyOutputsToHost"/>.</summary>
    public Dictionary<string, OrtValue> HostOutputs => _outputs.ToDictionary(o => o.Name, o => o.Host, StringComparer.Ordinal);

    /// <summary>
    /// Allocates a device tensor per input of <paramref name="hostInputs"/>, copies the data,
    /// binds them, and binds every output to the device; the primary context of
    /// <paramref name="device"/> is made current on this thread (ONNX Runtime's CUDA provider uses it too).
    /// </summary>
    /// <exception cref="CanaryInputException">The CUDA driver cannot be used, or a copy fails.</exception>
    public static DeviceIo Create(InferenceSession session, OrtIoBinding binding, int device, IReadOnlyDictionary<string, OrtValue> hostInputs)
    {
        var driver = CudaLibraries.LoadDriver();
        if (!driver.Ok)
        {
            throw new CanaryInputException(ReasonCodes.DriverUnavailable, $"device-resident inputs need the CUDA driver {CudaLibraries.DriverSoname}: {driver.Error}");
        }

        var io = new DeviceIo(session, device);
        try
        {
            io.MakeContextCurrent();
            foreach (var (name, host) in hostInputs)
            {
                // Sequences, maps and string tensors cannot live in device memory: ONNX Runtime
                // takes them from the host (and copies what a GPU kernel needs itself).
                if (!OnDevice(host))
                {
                    binding.BindInput(name, host);
                    continue;
                }

                var info = host.GetTensorTypeAndShape();
                var value = OrtValue.CreateAllocatedTensorValue(io._allocator, info.ElementDataType, info.Shape);
                io._inputs.Add((name, host, value, Bytes(info)));
                binding.BindInput(name, value);
            }

            io.CopyInputsToDevice();
            io.BindOutputs(session, binding);

            return io;
        }
        catch
        {
            io.Dispose();
            throw;
        }
    }

    /// <summary>After the first call (which let ONNX Runtime size the outputs): device and host tensors of those shapes, the device ones bound.</summary>
    public void BindPreallocatedOutputs(InferenceSession session, OrtIoBinding binding)
    {
        using var produced = binding.GetOutputValues();
        var names = binding.GetOutputNames();
        var shapes = new Dictionary<string, OrtTensorTypeAndShapeInfo>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (produced[i].IsTensor && OnnxData.ElementSize(produced[i].GetTensorTypeAndShape().ElementDataType) is not null)
            {
                shapes[names[i]] = produced[i].GetTensorTypeAndShape();
            }
        }

        binding.ClearBoundOutputs();
        foreach (var name in session.OutputNames)
        {
            if (!shapes.TryGetValue(name, out var info) || info.ElementDataType == TensorElementType.String || session.InputMetadata.ContainsKey(name))
            {
                binding.BindOutputToDevice(name, OnDevice(session.OutputMetadata[name]) ? _memory : OrtMemoryInfo.DefaultInstance);
                continue;
            }

            var device = OrtValue.CreateAllocatedTensorValue(_allocator, info.ElementDataType, info.Shape);
            var host = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, info.ElementDataType, info.Shape);
            _outputs.Add((name, host, device, Bytes(info)));
            binding.BindOutput(name, device);
        }
    }

    /// <summary>Binds every output for ONNX Runtime to allocate: tensors in the GPU's memory, other values on the host.</summary>
    public void BindOutputs(InferenceSession session, OrtIoBinding binding)
    {
        foreach (var name in session.OutputNames)
        {
            binding.BindOutputToDevice(name, OnDevice(session.OutputMetadata[name]) ? _memory : OrtMemoryInfo.DefaultInstance);
        }
    }

    private static bool OnDevice(OrtValue value) =>
        value.IsTensor && value.GetTensorTypeAndShape().ElementDataType != TensorElementType.String;

    private static bool OnDevice(NodeMetadata meta) => meta.IsTensor && !meta.IsString;

    /// <summary>Host → device copy of every input (synchronous).</summary>
    public void CopyInputsToDevice()
    {
        foreach (var (_, host, device, bytes) in _inputs)
        {
            fixed (byte* source = host.GetTensorMutableRawData())
            {
                Check(CudaDriver.MemcpyHtoD(DevicePointer(device), source, bytes), "cuMemcpyHtoD");
            }
        }
    }

    /// <summary>Device → host copy of every pre-allocated output (synchronous).</summary>
    public void CopyOutputsToHost()
    {
        foreach (var (_, host, device, bytes) in _outputs)
        {
            fixed (byte* destination = host.GetTensorMutableRawData())
            {
                Check(CudaDriver.MemcpyDtoH(destination, DevicePointer(device), bytes), "cuMemcpyDtoH");
            }
        }
    }

    /// <summary>
    /// One end-to-end call: inputs host → device, <paramref name="run"/>, outputs device → host;
    /// returns the total seconds and adds each stage to the running sums behind the stage means.
    /// </summary>
    public double EndToEndCall(Action run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var t0 = Stopwatch.GetTimestamp();
        CopyInputsToDevice();
        var t1 = Stopwatch.GetTimestamp();
        run();
        var t2 = Stopwatch.GetTimestamp();
        CopyOutputsToHost();
        var t3 = Stopwatch.GetTimestamp();
        _calls++;
        var frequency = (double)Stopwatch.Frequency;
        HostToDeviceSeconds += ((t1 - t0) / frequency - HostToDeviceSeconds) / _calls;
        InferenceSeconds += ((t2 - t1) / frequency - InferenceSeconds) / _calls;
        DeviceToHostSeconds += ((t3 - t2) / frequency - DeviceToHostSeconds) / _calls;
        return (t3 - t0) / frequency;
    }

    public void Dispose()
    {
        foreach (var (_, host, device, _) in _outputs)
        {
            host.Dispose();
            device.Dispose();
        }

        foreach (var (_, _, device, _) in _inputs)
        {
            device.Dispose();
        }

        _allocator.Dispose();
        _memory.Dispose();
        if (_contextRetained)
        {
            _ = CudaDriver.DevicePrimaryCtxRelease(_handle);
        }
    }

    private void MakeContextCurrent()
    {
        Check(CudaDriver.Init(0), "cuInit");
        Check(CudaDriver.DeviceGet(out _handle, _device), "cuDeviceGet");
        Check(CudaDriver.DevicePrimaryCtxRetain(out var context, _handle), "cuDevicePrimaryCtxRetain");
        _contextRetained = true;
        Check(CudaDriver.CtxSetCurrent(context), "cuCtxSetCurrent");
    }

    private static ulong DevicePointer(OrtValue device)
    {
        // The span only carries the device address; it is never read or written from the host.
        fixed (byte* pointer = device.GetTensorMutableRawData())
        {
            return (ulong)pointer;
        }
    }

    private static nuint Bytes(OrtTensorTypeAndShapeInfo info) => (nuint)(info.ElementCount * ElementSize(info.ElementDataType));

    private static long ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 => 8,
        TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        TensorElementType.Int8 or TensorElementType.UInt8 or TensorElementType.Bool => 1,
        _ => throw new CanaryInputException(ReasonCodes.InputError, $"a {type} tensor cannot be placed in GPU memory by BenchDaemon; use GpuIo EndToEnd or a CPU canary"),
    };

    private static void Check(int result, string call)
    {
        if (result != CudaDriver.Success)
        {
            throw new CanaryInputException(ReasonCodes.CudaError, $"{call}: {CudaDriver.ErrorName(result)}");
        }
    }
}
