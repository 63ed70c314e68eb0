namespace BenchDaemon.Probes.Tests.Linux;

/// <summary>A directory under the system temp directory, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "benchdaemon-probes-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A temp directory holding a copy of the fixture directory <paramref name="fixture"/>.</summary>
    public static TempDirectory CopyOf(string fixture)
    {
        var temp = new TempDirectory();
        CopyDirectory(Fixture.PathOf(fixture), temp.Path);
        return temp;
    }

    public string PathOf(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Write(string relativePath, string text)
    {
        string path = PathOf(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, System.IO.Path.Combine(destination, System.IO.Path.GetFileName(file)));
        }

        foreach (string directory in Directory.GetDirectories(source))
        {
            CopyDirectory(directory, System.IO.Path.Combine(destination, System.IO.Path.GetFileName(directory)));
        }
    }
}
