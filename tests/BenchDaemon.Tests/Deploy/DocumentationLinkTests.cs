using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;
using Xunit;

namespace BenchDaemon.Tests.Deploy;

/// <summary>
/// The documentation points only at files the repository holds: every relative Markdown link,
/// every repository path (<c>docs/…</c>, <c>bench/…</c>, <c>src/…</c>) named in a Markdown file or
/// a C# comment, and every upper-case document name (<c>README.md</c>, <c>STUDIES.md</c>).
/// </summary>
public sealed partial class DocumentationLinkTests
{
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "bin", "obj", "node_modules" };

    [Fact]
    public void EveryLinkAndNamedFile_Exists()
    {
        var markdown = Files("*.md").ToList();
        var code = Files("*.cs").ToList();
        Assert.True(markdown.Count > 20, $"only {markdown.Count} Markdown files found under {Repository.Root}");
        var documentNames = markdown.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);

        var missing = new List<string>();
        foreach (var file in markdown.Concat(code))
        {
            var relative = Path.GetRelativePath(Repository.Root, file);
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (file.EndsWith(".md", StringComparison.Ordinal))
                {
                    foreach (Match link in MarkdownLink().Matches(line))
                    {
                        var target = link.Groups["target"].Value;
                        if (target.StartsWith('#') || UriScheme().IsMatch(target))
                        {
                            continue;
                        }

                        var path = target.Split('#')[0];
                        if (path.Length > 0 && !Exists(Path.Combine(Path.GetDirectoryName(file)!, Uri.UnescapeDataString(path))))
                        {
                            missing.Add($"{relative}:{number}: link to {target}");
                        }
                    }
                }

                // A URL names files of other repositories (…/onnx/blob/main/docs/IR.md).
                if (line.Contains("://", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (Match path in RepositoryPath().Matches(line))
                {
                    if (!Exists(Path.Combine(Repository.Root, path.Value)))
                    {
                        missing.Add($"{relative}:{number}: {path.Value}");
                    }
                }

                foreach (Match name in DocumentName().Matches(line))
                {
                    if (!documentNames.Contains(name.Value))
                    {
                        missing.Add($"{relative}:{number}: {name.Value} (no such document in the repository)");
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, "documentation points at files that do not exist:" + Environment.NewLine + string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public void TheCheck_FindsAMissingDocument()
    {
        // Written in two parts so that this file does not name a missing document itself.
        Assert.Matches(DocumentName(), "the measurement protocol of DESIGN" + ".md, through");
        Assert.Matches(RepositoryPath(), "see docs/no-such-page" + ".md for details");
        Assert.DoesNotMatch(RepositoryPath(), "results in bench/results/default-run-<UTC>.md");
        Assert.Equal("workers.md#faults", MarkdownLink().Match("see [workers](workers.md#faults).").Groups["target"].Value);
        Assert.False(Exists(Path.Combine(Repository.Root, "docs", "no-such-page" + ".md")));
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static IEnumerable<string> Files(string pattern)
    {
        var pending = new Stack<string>([Repository.Root]);
        while (pending.TryPop(out var directory))
        {
            foreach (var sub in Directory.EnumerateDirectories(directory))
            {
                var name = Path.GetFileName(sub);
                if (!name.StartsWith('.') && !Skipped.Contains(name))
                {
                    pending.Push(sub);
                }
            }

            foreach (var file in Directory.EnumerateFiles(directory, pattern))
            {
                yield return file;
            }
        }
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase)]
    private static partial Regex UriScheme();

    // A path from the repository root to a file with an extension; a pattern (<UTC>, {csv,md}, *) is not a path.
    [GeneratedRegex(@"(?<![\w/.:{<-])(docs|bench|deploy|grafana|src|tests|scripts)/[\w./-]*\.(md|sh|json|ya?ml|cs|csproj|py|service|props)(?![\w{*<-])")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"(?<![\w/.-])[A-Z][A-Z0-9_-]+\.md\b")]
    private static partial Regex DocumentName();
}
