namespace BenchDaemon.Probes.Tests.Linux;

/// <summary>Paths and text of the files under Fixtures/, copied next to the test assembly.</summary>
internal static class Fixture
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));
}
