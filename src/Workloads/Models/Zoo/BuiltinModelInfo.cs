namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>One model of the <see cref="ModelZoo"/>: what it is and what one sample costs.</summary>
/// <param name="Name">The name a canary writes after <c>builtin:</c>, for example <c>resnet50</c>.</param>
/// <param name="Family"><c>image</c> (input <c>input</c>, float [batch, 3, image, image]) or <c>text</c> (int64 <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>, [batch, sequence]).</param>
/// <param name="Parameters">Trainable parameters, as PyTorch or HuggingFace count them.</param>
/// <param name="MacsPerSample">Multiply-accumulates of one sample at the default <paramref name="Dimensions"/>.</param>
/// <param name="Dimensions">
/// The sizes the model is described and calibrated at: <c>image</c> (the fixed input height and
/// width) for the image family; <c>sequence</c> (the symbolic sequence length, default) and
/// <c>vocab</c> (the bound of token ids) for the text family.
/// </param>
/// <param name="Description">One line for people: architecture, input size, classes.</param>
public sealed record BuiltinModelInfo(
    string Name,
    string Family,
    long Parameters,
    long MacsPerSample,
    IReadOnlyDictionary<string, long> Dimensions,
    string Description);
