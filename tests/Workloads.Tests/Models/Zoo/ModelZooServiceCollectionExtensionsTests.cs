using BenchDaemon.Workloads.Models.Zoo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Tests.Models.Zoo;

public sealed class ModelZooServiceCollectionExtensionsTests
{
    [Fact]
    public void AddModelZoo_CacheDirectoryFromTheDelegate_KeepsModelsInItsModelsFolder()
    {
        var state = Path.Combine(Path.GetTempPath(), "benchdaemon-state-not-created");
        using var provider = new ServiceCollection()
            .AddModelZoo(_ => state)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var zoo = provider.GetRequiredService<ModelZoo>();

        Assert.Equal(Path.Combine(state, ModelZoo.ModelsFolder), zoo.ModelsDirectory);
        Assert.Same(zoo, provider.GetRequiredService<ModelZoo>());
        Assert.False(Directory.Exists(zoo.ModelsDirectory));
    }

    [Fact]
    public void AddModelZoo_ConfiguredCacheDirectory_WinsOverTheDelegate()
    {
        var configured = Path.Combine(Path.GetTempPath(), "benchdaemon-configured");
        using var provider = new ServiceCollection()
            .Configure<ModelZooOptions>(o => o.CacheDirectory = configured)
            .AddModelZoo(_ => "/elsewhere")
            .BuildServiceProvider();

        Assert.Equal(Path.Combine(configured, ModelZoo.ModelsFolder), provider.GetRequiredService<ModelZoo>().ModelsDirectory);
    }

    [Fact]
    public void AddModelZoo_EmptyCacheDirectory_FailsValidation()
    {
        using var provider = new ServiceCollection()
            .AddModelZoo(_ => string.Empty)
            .BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ModelZooOptions>>().Value);
    }
}
