namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>
/// The shape of a BERT encoder, named as in HuggingFace's <c>BertConfig</c>
/// (<see href="https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/configuration_bert.py">configuration_bert.py</see>):
/// <paramref name="Layers"/> is <c>num_hidden_layers</c>, <paramref name="Hidden"/>
/// <c>hidden_size</c>, <paramref name="Heads"/> <c>num_attention_heads</c>,
/// <paramref name="Intermediate"/> <c>intermediate_size</c>, <paramref name="Vocab"/>
/// <c>vocab_size</c>, <paramref name="MaxPositions"/> <c>max_position_embeddings</c> and
/// <paramref name="TypeVocab"/> <c>type_vocab_size</c>. <paramref name="Name"/> goes into the
/// model's metadata.
/// </summary>
public sealed record BertConfig(
    string Name,
    int Layers,
    int Hidden,
    int Heads,
    int Intermediate,
    int Vocab,
    int MaxPositions,
    int TypeVocab)
{
    /// <summary>BERT-base, uncased (<c>bert-base-uncased</c>): 12 layers, hidden 768, 12 heads, 109,482,240 parameters with the pooler.</summary>
    public static BertConfig Base { get; } = new("bert-base", 12, 768, 12, 3072, 30522, 512, 2);

    /// <summary>A two-layer, 64-wide BERT for tests: the same graph as <see cref="Base"/>, small enough to build and run in milliseconds.</summary>
    public static BertConfig Tiny { get; } = new("bert-tiny", 2, 64, 2, 256, 1000, 128, 2);

    /// <summary>Width of one attention head, <see cref="Hidden"/> / <see cref="Heads"/>.</summary>
    public int HeadSize => Hidden / Heads;

    /// <summary>Throws unless every size is positive and <see cref="Hidden"/> splits evenly into <see cref="Heads"/>.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Name, nameof(Name));
        ArgumentOutOfRangeException.ThrowIfLessThan(Layers, 1, nameof(Layers));
        ArgumentOutOfRangeException.ThrowIfLessThan(Hidden, 1, nameof(Hidden));
        ArgumentOutOfRangeException.ThrowIfLessThan(Heads, 1, nameof(Heads));
        ArgumentOutOfRangeException.ThrowIfLessThan(Intermediate, 1, nameof(Intermediate));
        ArgumentOutOfRangeException.ThrowIfLessThan(Vocab, 1, nameof(Vocab));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPositions, 1, nameof(MaxPositions));
        ArgumentOutOfRangeException.ThrowIfLessThan(TypeVocab, 1, nameof(TypeVocab));
        if (Hidden % Heads != 0)
        {
            throw new ArgumentException($"Hidden size {Hidden} does not split into {Heads} heads.", nameof(Heads));
        }
    }
}
