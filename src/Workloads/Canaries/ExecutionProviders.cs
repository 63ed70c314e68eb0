using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Maps the provider names users write (CPU, CUDA, TensorRT, OpenVINO…) to ONNX Runtime
/// execution providers and appends them to session options with their options passed through.
/// </summary>
public static class ExecutionProviders
{
    private static readonly Dictionary<string, string> s_names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CPU"] = "CPUExecutionProvider",
        ["CUDA"] = "CUDAExecutionProvider",
        ["TensorRT"] = "TensorrtExecutionProvider",
        ["TRT"] = "TensorrtExecutionProvider",
        ["ROCm"] = "ROCMExecutionProvider",
        ["MIGraphX"] = "MIGraphXExecutionProvider",
        ["OpenVINO"] = "OpenVINOExecutionProvider",
        ["DirectML"] = "DmlExecutionProvider",
        ["DML"] = "DmlExecutionProvider",
        ["DNNL"] = "DnnlExecutionProvider",
        ["CoreML"] = "CoreMLExecutionProvider",
        ["XNNPACK"] = "XnnpackExecutionProvider",
        ["QNN"] = "QNNExecutionProvider",
        ["WebGPU"] = "WebGpuExecutionProvider",
        ["VitisAI"] = "VitisAIExecutionProvider",
    };

    /// <summary>The ONNX Runtime provider name for a user-facing name (names ending in ExecutionProvider pass through).</summary>
    public static string ToOrtName(string provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (s_names.TryGetValue(provider, out var name))
        {
            return name;
        }

        return provider.EndsWith("ExecutionProvider", StringComparison.Ordinal) ? provider : provider + "ExecutionProvider";
    }

    /// <summary>The short provider names users may write.</summary>
    public static IEnumerable<string> KnownNames => s_names.Keys;

    /// <summary>
    /// True for a provider name BenchDaemon knows (CPU, CUDA, TensorRT…) or a full ONNX Runtime
    /// name (<c>…ExecutionProvider</c>) for providers newer than this list; a typo is neither.
    /// </summary>
    public static bool IsKnown(string provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var trimmed = provider.Trim();
        return s_names.ContainsKey(trimmed)
               || (trimmed.Length > "ExecutionProvider".Length && trimmed.EndsWith("ExecutionProvider", StringComparison.Ordinal) && trimmed.All(char.IsAsciiLetterOrDigit));
    }

    /// <summary>True for the CPU provider, which needs nothing appended and has no fallback.</summary>
    public static bool IsCpu(string provider) => ToOrtName(provider) == "CPUExecutionProvider";

    /// <summary>
    /// Appends <paramref name="provider"/> to <paramref name="options"/>. TensorRT gets the
    /// precision as its own option (fp16/int8) and CUDA behind it for nodes TensorRT cannot take.
    /// Returns how the precision is obtained when the provider provides it, else null.
    /// </summary>
    public static string? Append(SessionOptions options, string provider, IReadOnlyDictionary<string, string> providerOptions, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(providerOptions);
        var ortName = ToOrtName(provider);
        var settings = new Dictionary<string, string>(providerOptions, StringComparer.Ordinal);
        switch (ortName)
        {
            case "CPUExecutionProvider":
                return null;
            case "CUDAExecutionProvider":
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(settings);
                options.AppendExecutionProvider_CUDA(cuda);
                return null;
            }

            case "TensorrtExecutionProvider":
            {
                string? via = null;
                if (precision == Precision.FP16)
                {
                    settings.TryAdd("trt_fp16_enable", "1");
                    via = "FP16 (TensorRT trt_fp16_enable)";
                }
                else if (precision == Precision.INT8)
                {
                    settings.TryAdd("trt_int8_enable", "1");
                    via = "INT8 (TensorRT trt_int8_enable)";
                }

                using var trt = new OrtTensorRTProviderOptions();
                trt.UpdateOptions(settings);
                options.AppendExecutionProvider_Tensorrt(trt);
                var deviceId = settings.TryGetValue("device_id", out var id) ? id : "0";
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = deviceId });
                options.AppendExecutionProvider_CUDA(cuda);
                return via;
            }

            case "ROCMExecutionProvider":
            {
                using var rocm = new OrtROCMProviderOptions();
                rocm.UpdateOptions(settings);
                options.AppendExecutionProvider_ROCm(rocm);
                return null;
            }

            case "DmlExecutionProvider":
                options.AppendExecutionProvider_DML(settings.TryGetValue("device_id", out var dml) ? int.Parse(dml, System.Globalization.CultureInfo.InvariantCulture) : 0);
                return null;
            case "MIGraphXExecutionProvider":
                options.AppendExecutionProvider_MIGraphX(settings.TryGetValue("device_id", out var mig) ? int.Parse(mig, System.Globalization.CultureInfo.InvariantCulture) : 0);
                return null;
            case "DnnlExecutionProvider":
                options.AppendExecutionProvider_Dnnl(settings.TryGetValue("use_arena", out var arena) && arena == "0" ? 0 : 1);
                return null;
            default:
                // OpenVINO, XNNPACK, QNN, WebGPU, VitisAI…: ONNX Runtime's generic entry point takes the short name.
                options.AppendExecutionProvider(ortName[..^"ExecutionProvider".Length], settings);
                return null;
        }
    }
}
