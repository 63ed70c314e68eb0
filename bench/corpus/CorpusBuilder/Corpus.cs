namespace BenchDaemon.Bench.Corpus;

/// <summary>The models of the corpus, in the order they are added; folder names are unique.</summary>
internal sealed class Corpus
{
    private readonly List<ModelSpec> _models = [];
    private readonly HashSet<string> _folders = new(StringComparer.Ordinal);

    public IReadOnlyList<ModelSpec> Models => _models;

    public ModelSpec Add(ModelSpec model)
    {
        if (!_folders.Add(model.Folder))
        {
            throw new InvalidOperationException($"two models in folder {model.Folder}");
        }

        _models.Add(model);
        return model;
    }
}
