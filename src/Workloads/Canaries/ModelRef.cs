namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// A canary's model as configured, read once: an <c>.onnx</c> path, <c>builtin:NAME</c>, or a CUDA
/// micro-canary <c>cuda:NAME</c>. <see cref="ToString"/> gives back the configured text.
/// </summary>
/// <param name="Kind">What the model is.</param>
/// <param name="Name">The path (file), the zoo name without the prefix (built-in), or the whole <c>cuda:NAME</c> (CUDA).</param>
public readonly record struct ModelRef(ModelKind Kind, string Name)
{
    /// <summary>The prefix of a built-in model.</summary>
    public const string BuiltinPrefix = "builtin:";

    /// <summary>The prefix of a CUDA micro-canary.</summary>
    public const string CudaPrefix = "cuda:";

    /// <summary>Reads a configured model.</summary>
    public static ModelRef Parse(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.StartsWith(BuiltinPrefix, StringComparison.Ordinal) ? new ModelRef(ModelKind.Builtin, model[BuiltinPrefix.Length..])
            : model.StartsWith(CudaPrefix, StringComparison.Ordinal) ? new ModelRef(ModelKind.Cuda, model)
            : new ModelRef(ModelKind.File, model);
    }

    /// <summary>The built-in model called <paramref name="name"/>.</summary>
    public static ModelRef Builtin(string name) => new(ModelKind.Builtin, name);

    /// <summary>The short label (the <c>model</c> metric label): the file name without extension, the built-in name, or the CUDA model as written.</summary>
    public string Label => Kind == ModelKind.File ? Path.GetFileNameWithoutExtension(Name) : Name;

    /// <summary>The configured text.</summary>
    public override string ToString() => Kind == ModelKind.Builtin ? BuiltinPrefix + Name : Name;
}
