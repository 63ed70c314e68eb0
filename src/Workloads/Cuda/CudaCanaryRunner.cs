using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using BenchDaemon.Probes;
using BenchDaemon.Probes.Nvml;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// Runs the CUDA micro-canaries — <c>cuda:gemm</c>, <c>cuda:memcpy</c>, <c>cuda:pcie</c> — with
/// the canary measurement protocol: set-up timed apart; warm-up until latencies settle; a
/// measured loop where each call is timed on the GPU with CUDA events; statistics, energy of
/// the window, operations or bytes per second and the ratio to the GPU's peak. A missing
/// driver or library is <c>skipped</c>; a CUDA error mid-run is <c>failed</c> with the error's
/// name; device memory, events, stream, cuBLASLt handles and the context are released on every path.
/// </summary>
public sealed partial class CudaCanaryRunner : ICanaryEngine
{
    /// <summary>cuBLASLt workspace (NVIDIA recommends 32 MiB on Hopper).</summary>
    internal const int WorkspaceBytes = 32 << 20;

    // Host data is generated in one block this large and copied repeatedly to fill a device buffer.
    private const int FillBlockBytes = 16 << 20;

    private readonly CudaOptions _options;
    private readonly MeasuredWindow _window;
    private readonly IPcieLinkReader _linkReader;
    private readonly ILogger<CudaCanaryRunner> _logger;

    public CudaCanaryRunner(IOptions<CudaOptions> options, ILogger<CudaCanaryRunner> logger, IEnergyMeter? energyMeter = null, IPcieLinkReader? linkReader = null, IGpuClockMonitor? clocks = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _window = new MeasuredWindow(energyMeter, clocks);
        _linkReader = linkReader ?? new SysfsPcieLinkReader();
    }

    /// <summary>Operations of one n×n·n×n GEMM call: n³ multiply-adds, two operations each.</summary>
    public static double GemmOperations(int n) => 2.0 * n * n * (double)n;

    /// <summary>Bytes moved by one device-to-device copy of <paramref name="bytes"/>: read once and written once.</summary>
    public static double CopyBytesMoved(long bytes) => 2.0 * bytes;

    /// <summary>Runs <paramref name="canary"/>, filling in <paramref name="result"/> (name, labels and start time set). Never throws for a CUDA problem.</summary>
    public CanaryResult Run(CanaryDefinition canary, CanaryResult result, CancellationToken cancellationToken = default) => Run(canary, result, null, cancellationToken);

    /// <summary>Runs <paramref name="canary"/>, telling <paramref name="phase"/> when its measured window starts. Never throws for a CUDA problem.</summary>
    public CanaryResult Run(CanaryDefinition canary, CanaryResult result, Action<CanaryPhase>? phase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(result);
        result = result with { Size = canary.Size };
        try
        {
            return Execute(canary, result, phase ?? (_ => { }), cancellationToken);
        }
        catch (CudaException ex)
        {
            var code = ex.Code == CudaDriver.ErrorOutOfMemory && !ex.IsCublas ? ReasonCodes.OutOfMemory : ReasonCodes.CudaError;
            return result with { Status = CanaryStatus.Failed, Reason = ex.Message, ReasonCode = code };
        }
        catch (EntryPointNotFoundException ex)
        {
            return result with { Status = CanaryStatus.Skipped, Reason = "CUDA library lacks a function BenchDaemon needs (too old?): " + ex.Message, ReasonCode = ReasonCodes.LibraryUnavailable };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return result with { Status = CanaryStatus.Failed, Reason = ReasonCodes.Shutdown, ReasonCode = ReasonCodes.Shutdown };
        }
    }

    /// <inheritdoc />
    public bool CanRun(CanaryDefinition canary)
    {
        ArgumentNullException.ThrowIfNull(canary);
        return canary.ModelRef.Kind == ModelKind.Cuda;
    }

    /// <inheritdoc />
    CanaryResult ICanaryEngine.Run(CanaryDefinition canary, int batch, CanaryResult result, Action<CanaryPhase> phase, CancellationToken cancellationToken) =>
        Run(canary, result, phase, cancellationToken);

    private CanaryResult Execute(CanaryDefinition canary, CanaryResult result, Action<CanaryPhase> phase, CancellationToken token)
    {
        if (!CudaLibraries.Configure(_options.LibraryDirectory))
        {
            return Skip(result, ReasonCodes.LibraryUnavailable, $"{CudaOptions.SectionName}:{nameof(CudaOptions.LibraryDirectory)} changed after this process loaded the CUDA libraries; restart to use '{_options.LibraryDirectory}'");
        }

        var driver = CudaLibraries.LoadDriver();
        if (!driver.Ok)
        {
            return Skip(result, ReasonCodes.DriverUnavailable, $"CUDA driver {CudaLibraries.DriverSoname} {driver.Error}");
        }

        string? cublasLabel = null;
        if (canary.Model == CudaModels.Gemm)
        {
            var cublas = CudaLibraries.LoadCublasLt();
            if (!cublas.Ok)
            {
                return Skip(result, ReasonCodes.LibraryUnavailable, $"cuBLASLt ({string.Join(" or ", CudaLibraries.CublasLtSonames)}) {cublas.Error}; set {CudaOptions.SectionName}:{nameof(CudaOptions.LibraryDirectory)} or CUDA_HOME");
            }

            cublasLabel = $"cuBLASLt {CublasVersion()} ({Path.GetFileName(cublas.Loaded)})";
        }

        var init = CudaDriver.Init(0);
        if (init != CudaDriver.Success)
        {
            var code = init == CudaDriver.ErrorNoDevice ? ReasonCodes.DeviceUnavailable : ReasonCodes.DriverUnavailable;
            return Skip(result, code, $"cuInit: {CudaDriver.ErrorName(init)}");
        }

        var ordinal = canary.Device.GpuIndex ?? 0;
        Check(CudaDriver.DeviceGetCount(out var count), "cuDeviceGetCount");
        if (ordinal >= count)
        {
            return Skip(result, ReasonCodes.DeviceUnavailable, $"CUDA device {ordinal} requested; {count} visible");
        }

        Check(CudaDriver.DeviceGet(out var device, ordinal), "cuDeviceGet");
        var gpu = Describe(device, ordinal);
        result = result with { DeviceName = gpu.Name };
        var peak = GpuPeaks.Find(gpu.Name);

        Check(CudaDriver.DevicePrimaryCtxRetain(out var context, device), "cuDevicePrimaryCtxRetain");
        try
        {
            Check(CudaDriver.CtxSetCurrent(context), "cuCtxSetCurrent");
            using var scope = new Scope { Phase = phase };
            return canary.Model switch
            {
                CudaModels.Gemm => Gemm(canary, result with { EffectiveProvider = cublasLabel }, gpu, peak, scope, token),
                CudaModels.Memcpy => Memcpy(canary, result with { EffectiveProvider = "CUDA driver (cuMemcpyDtoDAsync)" }, gpu, peak, scope, token),
                _ => Pcie(canary, result with { EffectiveProvider = "CUDA driver (cuMemcpyHtoDAsync, cuMemcpyDtoHAsync)" }, gpu, scope, token),
            };
        }
        finally
        {
            // Errors here cannot be acted on; the run's own outcome is already decided.
            _ = CudaDriver.CtxSetCurrent(0);
            _ = CudaDriver.DevicePrimaryCtxRelease(device);
        }
    }

    private CanaryResult Gemm(CanaryDefinition canary, CanaryResult result, Gpu gpu, GpuPeak? peak, Scope scope, CancellationToken token)
    {
        var n = canary.Size ?? CudaModels.DefaultSize(CudaModels.Gemm);
        var precision = canary.Precision;
        var minimum = precision switch { Precision.FP8 => 89, Precision.TF32 or Precision.BF16 => 80, _ => 0 };
        if (gpu.ComputeCapability < minimum)
        {
            return Skip(result, ReasonCodes.PrecisionUnavailable, $"{precision} GEMM needs compute capability {minimum / 10}.{minimum % 10} or later; {gpu.Name} is {gpu.ComputeCapability / 10}.{gpu.ComputeCapability % 10}");
        }

        var type = GemmType.Of(precision);
        var inputBytes = (long)n * n * type.InputSize;
        var outputBytes = (long)n * n * type.OutputSize;
        var setupStart = Stopwatch.GetTimestamp();
        if (NotEnoughMemory(result, 2 * inputBytes + outputBytes + WorkspaceBytes, $"two {n}×{n} {precision} inputs, the output and the workspace") is { } skipped)
        {
            return skipped;
        }

        var stream = scope.Stream();
        CheckBlas(CublasLt.Create(out var handle), "cublasLtCreate");
        scope.Add(() => CublasLt.Destroy(handle));
        CheckBlas(CublasLt.MatmulDescCreate(out var description, type.Compute, type.Scale), "cublasLtMatmulDescCreate");
        scope.Add(() => CublasLt.MatmulDescDestroy(description));
        // TN: the layout cuBLASLt's INT8 and FP8 kernels require; the same for every precision keeps them comparable.
        var transpose = CublasLt.OpT;
        var noTranspose = CublasLt.OpN;
        unsafe
        {
            CheckBlas(CublasLt.MatmulDescSetAttribute(description, CublasLt.DescTransA, &transpose, sizeof(int)), "cublasLtMatmulDescSetAttribute");
            CheckBlas(CublasLt.MatmulDescSetAttribute(description, CublasLt.DescTransB, &noTranspose, sizeof(int)), "cublasLtMatmulDescSetAttribute");
        }

        var a = scope.Layout(type.Input, n);
        var b = scope.Layout(type.Input, n);
        var c = scope.Layout(type.Output, n);
        CheckBlas(CublasLt.MatmulPreferenceCreate(out var preference), "cublasLtMatmulPreferenceCreate");
        scope.Add(() => CublasLt.MatmulPreferenceDestroy(preference));
        var heuristic = scope.Host(CublasLt.HeuristicResultSize);
        int returned;
        int status;
        unsafe
        {
            ulong workspaceLimit = WorkspaceBytes;
            CheckBlas(CublasLt.MatmulPreferenceSetAttribute(preference, CublasLt.PreferenceMaxWorkspaceBytes, &workspaceLimit, sizeof(ulong)), "cublasLtMatmulPreferenceSetAttribute");
            status = CublasLt.MatmulAlgoGetHeuristic(handle, description, a, b, c, c, preference, 1, (byte*)heuristic, out returned);
        }

        if (status == CublasLt.StatusNotSupported || (status == CublasLt.StatusSuccess && returned == 0))
        {
            return Skip(result, ReasonCodes.PrecisionUnavailable, $"cuBLASLt has no {precision} GEMM kernel for {gpu.Name} ({type.Describe})");
        }

        CheckBlas(status, "cublasLtMatmulAlgoGetHeuristic");
        var inputA = scope.Device(inputBytes);
        var inputB = scope.Device(inputBytes);
        var output = scope.Device(outputBytes);
        var workspace = scope.Device(WorkspaceBytes);
        Fill(inputA, inputBytes, precision, canary.Seed);
        Fill(inputB, inputBytes, precision, canary.Seed + 1);

        // alpha = 1, beta = 0 in the scale type, in memory that outlives the calls.
        var scalars = scope.Host(16);
        unsafe
        {
            if (type.Scale == CublasLt.R32I)
            {
                ((int*)scalars)[0] = 1;
                ((int*)scalars)[1] = 0;
            }
            else
            {
                ((float*)scalars)[0] = 1f;
                ((float*)scalars)[1] = 0f;
            }
        }

        var timer = scope.Timer(stream);
        double Call() => timer.Time(() =>
        {
            unsafe
            {
                var scalar = (byte*)scalars;
                CheckBlas(CublasLt.Matmul(handle, description, scalar, inputA, a, inputB, b, scalar + 4, output, c, output, c, (byte*)heuristic, workspace, WorkspaceBytes, stream), "cublasLtMatmul");
            }
        });

        var operations = GemmOperations(n);
        result = result with { EffectivePrecision = $"{precision} ({type.Describe})" };
        return Measure(canary, result, Call, setupStart, gpu, scope.Phase, (measured, samples, gpuJoules) =>
        {
            var flops = operations * samples.Count / samples.Sum();
            return measured with
            {
                ThroughputFlopsPerSecond = flops,
                PeakRatio = peak?.FlopsPerSecond.TryGetValue(precision, out var p) == true ? flops / p : null,
                EnergyJoulesPerFlop = gpuJoules / (operations * samples.Count),
            };
        }, token);
    }

    private CanaryResult Memcpy(CanaryDefinition canary, CanaryResult result, Gpu gpu, GpuPeak? peak, Scope scope, CancellationToken token)
    {
        var bytes = (long)(canary.Size ?? CudaModels.DefaultSize(CudaModels.Memcpy)) << 20;
        var setupStart = Stopwatch.GetTimestamp();
        if (NotEnoughMemory(result, 2 * bytes, "the source and destination buffers") is { } skipped)
        {
            return skipped;
        }

        var stream = scope.Stream();
        var source = scope.Device(bytes);
        var destination = scope.Device(bytes);
        var timer = scope.Timer(stream);
        double Call() => timer.Time(() => Check(CudaDriver.MemcpyDtoDAsync(destination, source, (nuint)bytes, stream), "cuMemcpyDtoDAsync"));

        return Measure(canary, result, Call, setupStart, gpu, scope.Phase, (measured, samples, _) =>
        {
            var bandwidth = CopyBytesMoved(bytes) * samples.Count / samples.Sum();
            return measured with
            {
                BandwidthBytesPerSecond = new SortedDictionary<string, double>(StringComparer.Ordinal) { [Directions.DeviceToDevice] = bandwidth },
                PeakRatio = peak is null ? null : bandwidth / peak.MemoryBytesPerSecond,
            };
        }, token);
    }

    private CanaryResult Pcie(CanaryDefinition canary, CanaryResult result, Gpu gpu, Scope scope, CancellationToken token)
    {
        var bytes = (long)(canary.Size ?? CudaModels.DefaultSize(CudaModels.Pcie)) << 20;
        var setupStart = Stopwatch.GetTimestamp();
        if (NotEnoughMemory(result, bytes, "the device buffer") is { } skipped)
        {
            return skipped;
        }

        var stream = scope.Stream();
        var device = scope.Device(bytes);
        var host = scope.Pinned(bytes);
        unsafe
        {
            var random = new Random(canary.Seed);
            for (long offset = 0; offset < bytes; offset += int.MaxValue)
            {
                random.NextBytes(new Span<byte>((byte*)host + offset, (int)Math.Min(int.MaxValue, bytes - offset)));
            }
        }

        var timer = scope.Timer(stream);
        var toDevice = new List<double>();
        var toHost = new List<double>();
        // One call is one round trip: host→device, then device→host, each timed on its own.
        double Call()
        {
            var up = timer.Time(() => Check(CudaDriver.MemcpyHtoDAsync(device, host, (nuint)bytes, stream), "cuMemcpyHtoDAsync"));
            var down = timer.Time(() => Check(CudaDriver.MemcpyDtoHAsync(host, device, (nuint)bytes, stream), "cuMemcpyDtoHAsync"));
            toDevice.Add(up);
            toHost.Add(down);
            return up + down;
        }

        return Measure(canary, result, Call, setupStart, gpu, scope.Phase, (measured, samples, _) =>
        {
            // Only the measured calls: the warm-up ones come first in the lists.
            var skip = toDevice.Count - samples.Count;
            var up = toDevice.Skip(skip).ToList();
            var down = toHost.Skip(skip).ToList();
            var h2d = bytes * up.Count / up.Sum();
            var d2h = bytes * down.Count / down.Sum();
            // The link drops to a lower generation when idle: read it right after the transfers.
            var link = gpu.PciBusId is null ? null : _linkReader.Read(gpu.PciBusId);
            var linkPeak = GpuPeaks.PcieBytesPerSecond(link?.MaxGeneration, link?.MaxWidth);
            return measured with
            {
                BandwidthBytesPerSecond = new SortedDictionary<string, double>(StringComparer.Ordinal)
                {
                    [Directions.HostToDevice] = h2d,
                    [Directions.DeviceToHost] = d2h,
                },
                StageSeconds = new SortedDictionary<string, double>(StringComparer.Ordinal)
                {
                    [Directions.HostToDevice] = up.Average(),
                    [Directions.DeviceToHost] = down.Average(),
                },
                PeakRatio = linkPeak is { } p ? Math.Min(h2d, d2h) / p : null,
                PcieLink = link,
            };
        }, token);
    }

    /// <summary>The shared measured window; <paramref name="finish"/> adds the canary's own figures to the measured result.</summary>
    private CanaryResult Measure(CanaryDefinition canary, CanaryResult result, Func<double> call, long setupStart, Gpu gpu, Action<CanaryPhase> phase, Func<CanaryResult, List<double>, double?, CanaryResult> finish, CancellationToken token)
    {
        // The first call is part of set-up (kernel selection, lazy module loading).
        call();
        var setupSeconds = Stopwatch.GetElapsedTime(setupStart).TotalSeconds;
        phase(CanaryPhase.Measuring);
        var runStart = Stopwatch.GetTimestamp();
        var window = _window.Measure(canary, call, call, runStart, 0, token);
        result = window.ApplyTo(result, 1, canary.Device) with { SessionCreateSeconds = setupSeconds };
        var finished = finish(result, window.Samples, GpuJoules(result.EnergyJoules, gpu.Ordinal));
        LogMeasured(_logger, canary.Name, gpu.Name, finished.ThroughputFlopsPerSecond ?? double.NaN, finished.PeakRatio ?? double.NaN);
        return finished;
    }

    /// <summary>Energy of this GPU over the window: its <c>gpu:N</c> counter, else every GPU counter; null without any.</summary>
    internal static double? GpuJoules(IReadOnlyDictionary<string, double>? energy, int ordinal)
    {
        if (energy is null)
        {
            return null;
        }

        if (energy.TryGetValue(DeviceRef.Gpu(ordinal).ToString(), out var own))
        {
            return own;
        }

        var all = energy.Where(e => DeviceRef.TryParse(e.Key, out var device) && device.IsGpu).ToList();
        return all.Count > 0 ? all.Sum(e => e.Value) : null;
    }

    private static CanaryResult? NotEnoughMemory(CanaryResult result, long needed, string what)
    {
        Check(CudaDriver.MemGetInfo(out var free, out _), "cuMemGetInfo");
        if ((ulong)needed <= free)
        {
            return null;
        }

        return Skip(result, ReasonCodes.OutOfMemory, string.Create(CultureInfo.InvariantCulture,
            $"needs {needed / (double)(1L << 30):F2} GiB for {what}; {free / (double)(1L << 30):F2} GiB of device memory is free (lower Size)"));
    }

    private static unsafe void Fill(ulong device, long bytes, Precision precision, int seed)
    {
        var block = Values(precision, (int)Math.Min(bytes, FillBlockBytes), seed);
        fixed (byte* data = block)
        {
            for (long offset = 0; offset < bytes; offset += block.Length)
            {
                Check(CudaDriver.MemcpyHtoD(device + (ulong)offset, data, (nuint)Math.Min(block.Length, bytes - offset)), "cuMemcpyHtoD");
            }
        }
    }

    /// <summary>
    /// Random values in (−1, 1) in the element format of <paramref name="precision"/> (INT8: any
    /// byte; FP8 E4M3: magnitudes below 2, never NaN): realistic data, because zeros draw less
    /// power and would flatter the throughput.
    /// </summary>
    internal static byte[] Values(Precision precision, int bytes, int seed)
    {
        var random = new Random(seed);
        var block = new byte[bytes];
        if (precision is Precision.FP32 or Precision.TF32)
        {
            Span<float> floats = MemoryMarshal.Cast<byte, float>(block.AsSpan());
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = (float)(random.NextDouble() * 2 - 1);
            }
        }
        else if (precision == Precision.FP16)
        {
            Span<Half> halves = MemoryMarshal.Cast<byte, Half>(block.AsSpan());
            for (var i = 0; i < halves.Length; i++)
            {
                halves[i] = (Half)(random.NextDouble() * 2 - 1);
            }
        }
        else if (precision == Precision.BF16)
        {
            Span<ushort> shorts = MemoryMarshal.Cast<byte, ushort>(block.AsSpan());
            for (var i = 0; i < shorts.Length; i++)
            {
                shorts[i] = (ushort)(BitConverter.SingleToUInt32Bits((float)(random.NextDouble() * 2 - 1)) >> 16);
            }
        }
        else if (precision == Precision.FP8)
        {
            for (var i = 0; i < block.Length; i++)
            {
                // E4M3: sign, exponent 0–7 (bias 7, so below 2), any mantissa.
                block[i] = (byte)((random.Next(2) << 7) | (random.Next(8) << 3) | random.Next(8));
            }
        }
        else
        {
            random.NextBytes(block);
        }

        return block;
    }

    private static Gpu Describe(int device, int ordinal)
    {
        string name;
        string? busId;
        unsafe
        {
            var buffer = stackalloc byte[256];
            Check(CudaDriver.DeviceGetName(buffer, 256, device), "cuDeviceGetName");
            name = Marshal.PtrToStringUTF8((nint)buffer) ?? "unknown";
            busId = CudaDriver.DeviceGetPciBusId(buffer, 64, device) == CudaDriver.Success ? Marshal.PtrToStringUTF8((nint)buffer) : null;
        }

        Check(CudaDriver.DeviceGetAttribute(out var major, CudaDriver.AttributeComputeCapabilityMajor, device), "cuDeviceGetAttribute");
        Check(CudaDriver.DeviceGetAttribute(out var minor, CudaDriver.AttributeComputeCapabilityMinor, device), "cuDeviceGetAttribute");
        return new Gpu(ordinal, name.Trim(), busId, major * 10 + minor);
    }

    private static string CublasVersion()
    {
        var version = (ulong)CublasLt.GetVersion();
        return string.Create(CultureInfo.InvariantCulture, $"{version / 10000}.{version / 100 % 100}.{version % 100}");
    }

    private static CanaryResult Skip(CanaryResult result, string code, string reason) =>
        result with { Status = CanaryStatus.Skipped, Reason = reason, ReasonCode = code };

    internal static void Check(int code, string function)
    {
        if (code != CudaDriver.Success)
        {
            throw new CudaException(function, code, CudaDriver.ErrorName(code));
        }
    }

    internal static void CheckBlas(int status, string function)
    {
        if (status != CublasLt.StatusSuccess)
        {
            throw new CudaException(function, status, CublasLt.StatusName(status));
        }
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Debug, Message = "CUDA canary {Canary} on {Device}: {FlopsPerSecond} op/s, peak ratio {PeakRatio}")]
    private static partial void LogMeasured(ILogger logger, string canary, string device, double flopsPerSecond, double peakRatio);

    /// <summary>The <c>direction</c> label values of the bandwidth metric.</summary>
    public static class Directions
    {
        public const string DeviceToDevice = "device_to_device";
        public const string HostToDevice = "host_to_device";
        public const string DeviceToHost = "device_to_host";
    }

    private sealed record Gpu(int Ordinal, string Name, string? PciBusId, int ComputeCapability);

    /// <summary>cuBLASLt types of one precision.</summary>
    private sealed record GemmType(int Input, int Output, int Compute, int Scale, int InputSize, int OutputSize, string Describe)
    {
        public static GemmType Of(Precision precision) => precision switch
        {
            Precision.FP32 => new(CublasLt.R32F, CublasLt.R32F, CublasLt.Compute32F, CublasLt.R32F, 4, 4, "FP32 in and out, FP32 compute"),
            Precision.TF32 => new(CublasLt.R32F, CublasLt.R32F, CublasLt.Compute32FFastTf32, CublasLt.R32F, 4, 4, "FP32 in and out, TF32 tensor cores"),
            Precision.FP16 => new(CublasLt.R16F, CublasLt.R16F, CublasLt.Compute32F, CublasLt.R32F, 2, 2, "FP16 in and out, FP32 accumulate"),
            Precision.BF16 => new(CublasLt.R16BF, CublasLt.R16BF, CublasLt.Compute32F, CublasLt.R32F, 2, 2, "BF16 in and out, FP32 accumulate"),
            Precision.INT8 => new(CublasLt.R8I, CublasLt.R32I, CublasLt.Compute32I, CublasLt.R32I, 1, 4, "INT8 in, INT32 accumulate and out"),
            _ => new(CublasLt.R8FE4M3, CublasLt.R16BF, CublasLt.Compute32F, CublasLt.R32F, 1, 2, "FP8 E4M3 in, BF16 out, FP32 accumulate"),
        };
    }

    /// <summary>Times work queued on a stream with a pair of CUDA events.</summary>
    private sealed class Timer(nint start, nint end, nint stream)
    {
        public double Time(Action enqueue)
        {
            Check(CudaDriver.EventRecord(start, stream), "cuEventRecord");
            enqueue();
            Check(CudaDriver.EventRecord(end, stream), "cuEventRecord");
            Check(CudaDriver.EventSynchronize(end), "cuEventSynchronize");
            Check(CudaDriver.EventElapsedTime(out var milliseconds, start, end), "cuEventElapsedTime");
            return milliseconds / 1000.0;
        }
    }

    /// <summary>Everything allocated for one run, released in reverse order whatever happens (errors while releasing are ignored).</summary>
    private sealed class Scope : IDisposable
    {
        /// <summary>The run's phase callback.</summary>
        public Action<CanaryPhase> Phase { get; init; } = _ => { };

        // Each release returns the library's status, ignored: nothing more can be done about it.
        private readonly Stack<Func<int>> _release = new();

        public void Add(Func<int> release) => _release.Push(release);

        public nint Stream()
        {
            Check(CudaDriver.StreamCreate(out var stream, CudaDriver.StreamNonBlocking), "cuStreamCreate");
            Add(() => CudaDriver.StreamDestroy(stream));
            return stream;
        }

        public Timer Timer(nint stream)
        {
            Check(CudaDriver.EventCreate(out var start, 0), "cuEventCreate");
            Add(() => CudaDriver.EventDestroy(start));
            Check(CudaDriver.EventCreate(out var end, 0), "cuEventCreate");
            Add(() => CudaDriver.EventDestroy(end));
            return new Timer(start, end, stream);
        }

        public ulong Device(long bytes)
        {
            Check(CudaDriver.MemAlloc(out var pointer, (nuint)bytes), "cuMemAlloc");
            Add(() => CudaDriver.MemFree(pointer));
            return pointer;
        }

        public nint Pinned(long bytes)
        {
            Check(CudaDriver.MemAllocHost(out var pointer, (nuint)bytes), "cuMemAllocHost");
            Add(() => CudaDriver.MemFreeHost(pointer));
            return pointer;
        }

        public unsafe nint Host(int bytes)
        {
            var pointer = (nint)NativeMemory.AllocZeroed((nuint)bytes);
            Add(() =>
            {
                NativeMemory.Free((void*)pointer);
                return 0;
            });
            return pointer;
        }

        public nint Layout(int type, int n)
        {
            CheckBlas(CublasLt.MatrixLayoutCreate(out var layout, type, (ulong)n, (ulong)n, n), "cublasLtMatrixLayoutCreate");
            Add(() => CublasLt.MatrixLayoutDestroy(layout));
            return layout;
        }

        public void Dispose()
        {
            while (_release.TryPop(out var release))
            {
                _ = release();
            }
        }
    }
}
