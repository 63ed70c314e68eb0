namespace BenchDaemon.TestSupport;

/// <summary>
/// A fresh directory under the system temp directory, deleted with everything in it on dispose.
/// Linked into each test project.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("benchdaemon-test-").FullName;
    }

    /// <summary>The directory's absolute path.</summary>
    public string Path { get; }

    /// <summary>A temp directory holding a copy of <paramref name="source"/> and everything under it.</summary>
    public static TempDirectory CopyOf(string source)
    {
        var temp = new TempDirectory();
        CopyDirectory(source, temp.Path);
        return temp;
    }

    /// <summary>The path of <paramref name="parts"/> under the directory.</summary>
    public string PathOf(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="relativePath"/> under the directory,
    /// creating the folders on the way; returns the file's path.
    /// </summary>
    public string File(string relativePath, string content)
    {
        var path = PathOf(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // A test removed it itself.
        }
        catch (IOException)
        {
            // A daemon child may still be closing its log file; the OS cleans temp later.
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source))
        {
            System.IO.File.Copy(file, System.IO.Path.Combine(destination, System.IO.Path.GetFileName(file)));
        }

        foreach (var directory in Directory.GetDirectories(source))
        {
            CopyDirectory(directory, System.IO.Path.Combine(destination, System.IO.Path.GetFileName(directory)));
        }
    }
}
