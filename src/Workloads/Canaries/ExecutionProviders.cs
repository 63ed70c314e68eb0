using System.Globalization;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Maps the provider names users write (CPU, CUDA, TensorRT, OpenVINO…) to ONNX Runtime
/// execution providers, checks and completes their options, and appends them to session
/// options. The CUDA and TensorRT libraries are found and preloaded first
/// (<see cref="GpuProviderLibraries"/>), so the provider's own <c>dlopen</c> succeeds.
/// </summary>
public static class ExecutionProviders
{
    /// <summary>ONNX Runtime's CUDA provider name.</summary>
    public const string Cuda = "CUDAExecutionProvider";

    /// <summary>ONNX Runtime's TensorRT provider name.</summary>
    public const string TensorRt = "TensorrtExecutionProvider";

    private static readonly Dictionary<string, string> s_names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CPU"] = "CPUExecutionProvider",
        ["CUDA"] = Cuda,
        ["TensorRT"] = TensorRt,
        ["TRT"] = TensorRt,
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

    // The option keys ONNX Runtime 1.32's providers parse (cuda_execution_provider_info.cc,
    // tensorrt_execution_provider_info.cc; checked against the strings of the shipped
    // libraries), less those that take a pointer (user_compute_stream, gpu_external_*, bytestreams).
    private static readonly HashSet<string> s_cudaKeys = new(StringComparer.Ordinal)
    {
        "device_id", "gpu_mem_limit", "arena_extend_strategy", "cudnn_conv_algo_search", "do_copy_in_default_stream",
        "cudnn_conv_use_max_workspace", "cudnn_conv1d_pad_to_nc1d", "enable_cuda_graph", "enable_skip_layer_norm_strict_mode",
        "prefer_nhwc", "use_ep_level_unified_stream", "use_tf32", "sdpa_kernel", "fuse_conv_bias",
        "tunable_op_enable", "tunable_op_tuning_enable", "tunable_op_max_tuning_duration_ms",
    };

    private static readonly HashSet<string> s_tensorRtKeys = new(StringComparer.Ordinal)
    {
        "device_id", "trt_max_workspace_size", "trt_max_partition_iterations", "trt_min_subgraph_size",
        "trt_fp16_enable", "trt_bf16_enable", "trt_int8_enable", "trt_int8_calibration_table_name", "trt_int8_use_native_calibration_table",
        "trt_dla_enable", "trt_dla_core", "trt_dump_subgraphs", "trt_engine_cache_enable", "trt_engine_cache_path", "trt_engine_cache_prefix",
        "trt_engine_decryption_enable", "trt_engine_decryption_lib_path", "trt_force_sequential_engine_build", "trt_context_memory_sharing_enable",
        "trt_layer_norm_fp32_fallback", "trt_timing_cache_enable", "trt_timing_cache_path", "trt_force_timing_cache", "trt_detailed_build_log",
        "trt_build_heuristics_enable", "trt_sparsity_enable", "trt_builder_optimization_level", "trt_auxiliary_streams", "trt_tactic_sources",
        "trt_extra_plugin_lib_paths", "trt_profile_min_shapes", "trt_profile_max_shapes", "trt_profile_opt_shapes", "trt_cuda_graph_enable",
        "trt_preview_features", "trt_dump_ep_context_model", "trt_ep_context_file_path", "trt_ep_context_embed_mode", "trt_engine_hw_compatible",
        "trt_weight_stripped_engine_enable", "trt_onnx_model_folder_path", "trt_op_types_to_exclude", "trt_load_user_initializer",
    };

    private static readonly HashSet<string> s_booleanKeys = new(StringComparer.Ordinal)
    {
        "do_copy_in_default_stream", "cudnn_conv_use_max_workspace", "cudnn_conv1d_pad_to_nc1d", "enable_cuda_graph",
        "enable_skip_layer_norm_strict_mode", "prefer_nhwc", "use_ep_level_unified_stream", "use_tf32", "fuse_conv_bias",
        "tunable_op_enable", "tunable_op_tuning_enable",
        "trt_fp16_enable", "trt_bf16_enable", "trt_int8_enable", "trt_int8_use_native_calibration_table", "trt_dla_enable", "trt_dump_subgraphs",
        "trt_engine_cache_enable", "trt_engine_decryption_enable", "trt_force_sequential_engine_build", "trt_context_memory_sharing_enable",
        "trt_layer_norm_fp32_fallback", "trt_timing_cache_enable", "trt_force_timing_cache", "trt_detailed_build_log", "trt_build_heuristics_enable",
        "trt_sparsity_enable", "trt_cuda_graph_enable", "trt_dump_ep_context_model", "trt_engine_hw_compatible", "trt_weight_stripped_engine_enable",
        "trt_load_user_initializer",
    };

    private static readonly HashSet<string> s_integerKeys = new(StringComparer.Ordinal)
    {
        "gpu_mem_limit", "sdpa_kernel", "tunable_op_max_tuning_duration_ms",
        "trt_max_workspace_size", "trt_max_partition_iterations", "trt_min_subgraph_size", "trt_dla_core", "trt_auxiliary_streams",
        "trt_ep_context_embed_mode",
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

    /// <summary>The CUDA provider's option keys BenchDaemon passes through.</summary>
    public static IReadOnlyCollection<string> CudaOptionKeys => s_cudaKeys;

    /// <summary>The TensorRT provider's option keys BenchDaemon passes through (a TensorRT canary also takes the CUDA keys, for the CUDA provider behind TensorRT).</summary>
    public static IReadOnlyCollection<string> TensorRtOptionKeys => s_tensorRtKeys;

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

    /// <summary>True for the CUDA and TensorRT providers, whose libraries BenchDaemon finds and preloads.</summary>
    public static bool IsGpu(string provider) => ToOrtName(provider) is Cuda or TensorRt;

    /// <summary>
    /// Problems with <paramref name="options"/> for a canary block on <paramref name="providers"/>
    /// as (option key, problem) pairs: a key that none of the block's CUDA or TensorRT providers
    /// knows (ONNX Runtime would refuse it only when the provider loads, on a GPU host), or a value
    /// of the wrong kind. A block with no GPU provider passes unchecked (other providers take their
    /// own options). Empty when valid.
    /// </summary>
    public static IEnumerable<(string Key, string Problem)> Validate(IEnumerable<string> providers, IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(options);
        var gpu = providers.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => ToOrtName(p.Trim())).Where(p => p is Cuda or TensorRt).Distinct().Order(StringComparer.Ordinal).ToList();
        if (gpu.Count == 0)
        {
            yield break;
        }

        // A TensorRT canary takes the CUDA keys too, for the CUDA provider behind TensorRT.
        var keys = gpu.Contains(TensorRt) ? s_tensorRtKeys.Concat(s_cudaKeys).ToHashSet(StringComparer.Ordinal) : s_cudaKeys;
        foreach (var (key, value) in options.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (!keys.Contains(key))
            {
                yield return (key, $"'{key}' is not an option of {string.Join(" or ", gpu)}; known: {string.Join(", ", keys.Order(StringComparer.Ordinal))}");
                continue;
            }

            if (value is null)
            {
                continue;
            }

            if (s_booleanKeys.Contains(key) && value is not ("0" or "1" or "true" or "false" or "True" or "False"))
            {
                yield return (key, $"'{value}' is not 0 or 1");
            }
            else if (s_integerKeys.Contains(key) && !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                yield return (key, $"'{value}' is not a non-negative integer");
            }
            else if (key == "cudnn_conv_algo_search" && value is not ("EXHAUSTIVE" or "HEURISTIC" or "DEFAULT"))
            {
                yield return (key, $"'{value}' is not EXHAUSTIVE, HEURISTIC or DEFAULT");
            }
            else if (key == "arena_extend_strategy" && value is not ("kNextPowerOfTwo" or "kSameAsRequested" or "0" or "1"))
            {
                yield return (key, $"'{value}' is not kNextPowerOfTwo or kSameAsRequested");
            }
            else if (key == "trt_builder_optimization_level" && value is not ("0" or "1" or "2" or "3" or "4" or "5"))
            {
                yield return (key, $"'{value}' is not a TensorRT builder optimisation level (0-5)");
            }
        }
    }

    /// <summary>
    /// The options handed to the CUDA provider: the canary's CUDA keys as given (for a TensorRT
    /// canary, those of its keys the CUDA provider behind TensorRT understands).
    /// </summary>
    public static Dictionary<string, string> CudaOptions(IReadOnlyDictionary<string, string> providerOptions)
    {
        ArgumentNullException.ThrowIfNull(providerOptions);
        return providerOptions.Where(o => s_cudaKeys.Contains(o.Key)).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// The options handed to the TensorRT provider: the canary's TensorRT keys, then what BenchDaemon
    /// decides unless the user set it — FP16 or INT8 from the canary's precision, engine and timing
    /// caches in <see cref="TensorRtSettings.CacheDirectory"/>, the optimisation profile.
    /// </summary>
    public static Dictionary<string, string> TensorRtOptions(IReadOnlyDictionary<string, string> providerOptions, Precision precision, TensorRtSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(providerOptions);
        var options = providerOptions.Where(o => s_tensorRtKeys.Contains(o.Key)).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
        if (precision == Precision.FP16)
        {
            options.TryAdd("trt_fp16_enable", "1");
        }
        else if (precision == Precision.INT8)
        {
            // INT8 needs scales: a QDQ model carries them; otherwise a calibration table does.
            options.TryAdd("trt_int8_enable", "1");
        }

        if (settings?.CacheDirectory is { } cache)
        {
            options.TryAdd("trt_engine_cache_enable", "1");
            options.TryAdd("trt_engine_cache_path", cache);
            options.TryAdd("trt_timing_cache_enable", "1");
            options.TryAdd("trt_timing_cache_path", cache);
        }

        // The profile must name every dynamic input and is passed again with a cached engine:
        // ONNX Runtime compares it with the engine's .profile file.
        if (settings?.Profile is { } profile && !options.ContainsKey("trt_profile_min_shapes"))
        {
            options["trt_profile_min_shapes"] = profile.MinShapes;
            options["trt_profile_opt_shapes"] = profile.OptShapes;
            options["trt_profile_max_shapes"] = profile.MaxShapes;
        }

        return options;
    }

    /// <summary>
    /// Appends <paramref name="provider"/> to <paramref name="options"/>. TensorRT gets the
    /// precision as its own option (fp16/int8) and CUDA behind it for nodes TensorRT cannot take.
    /// Returns how the precision is obtained when the provider provides it, else null. Throws
    /// ONNX Runtime's exception when the provider cannot be appended; <see cref="TryAppend"/> says why instead.
    /// </summary>
    public static string? Append(SessionOptions options, string provider, IReadOnlyDictionary<string, string> providerOptions, Precision precision, TensorRtSettings? tensorRt = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(providerOptions);
        var ortName = ToOrtName(provider);
        if (ortName is Cuda or TensorRt)
        {
            _ = GpuProviderLibraries.Prepare(ortName);
        }

        return AppendPrepared(options, ortName, providerOptions, precision, tensorRt, alone: false);
    }

    /// <summary>
    /// Appends like <see cref="Append"/>, but a GPU provider that cannot be appended returns its
    /// cause instead of throwing: what discovery found missing (<c>libcudnn.so.9 (cuDNN 9) not
    /// found; searched: …</c>), else ONNX Runtime's error explained (<see cref="ProviderFailure.Explain"/>).
    /// Null on success, with <paramref name="precisionVia"/> set as <see cref="Append"/> returns it.
    /// </summary>
    public static ProviderFailure? TryAppend(SessionOptions options, string provider, IReadOnlyDictionary<string, string> providerOptions, Precision precision, out string? precisionVia, TensorRtSettings? tensorRt = null, bool alone = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(providerOptions);
        precisionVia = null;
        var ortName = ToOrtName(provider);
        var libraries = ortName is Cuda or TensorRt ? GpuProviderLibraries.Prepare(ortName) : new GpuLibraryReport();
        if (ProviderFailure.FromLibraries(libraries) is { } missing)
        {
            return missing;
        }

        try
        {
            precisionVia = AppendPrepared(options, ortName, providerOptions, precision, tensorRt, alone);
            return null;
        }
        catch (OnnxRuntimeException ex)
        {
            return ProviderFailure.Explain(ortName, ex.Message, libraries);
        }
    }

    private static string? AppendPrepared(SessionOptions options, string ortName, IReadOnlyDictionary<string, string> providerOptions, Precision precision, TensorRtSettings? tensorRt, bool alone)
    {
        var settings = new Dictionary<string, string>(providerOptions, StringComparer.Ordinal);
        switch (ortName)
        {
            case "CPUExecutionProvider":
                return null;
            case Cuda:
            {
                // UpdateOptions already loads the provider library (and fails with the loader's
                // words), where AppendExecutionProvider_CUDA would say only "Failed to load shared library".
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(CudaOptions(settings));
                options.AppendExecutionProvider_CUDA(cuda);
                return null;
            }

            case TensorRt:
            {
                using var trt = new OrtTensorRTProviderOptions();
                trt.UpdateOptions(TensorRtOptions(settings, precision, tensorRt));
                options.AppendExecutionProvider_Tensorrt(trt);
                if (!alone)
                {
                    using var cuda = new OrtCUDAProviderOptions();
                    cuda.UpdateOptions(CudaOptions(settings));
                    options.AppendExecutionProvider_CUDA(cuda);
                }

                return precision switch
                {
                    Precision.FP16 => "FP16 (TensorRT trt_fp16_enable)",
                    Precision.INT8 => "INT8 (TensorRT trt_int8_enable)",
                    _ => null,
                };
            }

            case "ROCMExecutionProvider":
            {
                using var rocm = new OrtROCMProviderOptions();
                rocm.UpdateOptions(settings);
                options.AppendExecutionProvider_ROCm(rocm);
                return null;
            }

            case "DmlExecutionProvider":
                options.AppendExecutionProvider_DML(settings.TryGetValue("device_id", out var dml) ? int.Parse(dml, CultureInfo.InvariantCulture) : 0);
                return null;
            case "MIGraphXExecutionProvider":
                options.AppendExecutionProvider_MIGraphX(settings.TryGetValue("device_id", out var mig) ? int.Parse(mig, CultureInfo.InvariantCulture) : 0);
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
