using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Siphon.Runtime.Config;
using Siphon.Tests.Shared;

namespace Siphon.Runtime.Unit.Tests.Docs;

/// <summary>The repository documents itself: nothing points at pages outside it, every http.yaml key
/// the loader accepts is in docs/configuration.md, and every repository path docs/ names exists.</summary>
public partial class DocsTests
{
    private static readonly string Root = Repo.Root;

    /// <summary>Builders' notes a user never has. Assembled from pieces so this file does not match itself.</summary>
    private static readonly Regex OutsidePages = new(
        Regex.Escape("../" + "shared") + "|"
        + string.Join("|", new[] { "SCRIPT-API", "ARCHITECTURE", "CPYTHON-FACTS", "PLATFORM-FACTS", "SIPHON-COMPAT" }.Select(n => Regex.Escape(n + ".md"))),
        RegexOptions.CultureInvariant);

    [Fact]
    public void No_tracked_file_points_outside_the_repository()
    {
        var files = TrackedFiles();
        Assert.True(files.Count > 100, $"expected the repository's files, found {files.Count}");
        var hits = new List<string>();
        foreach (var rel in files)
        {
            var path = Path.Combine(Root, rel);
            if (!File.Exists(path)) continue; // deleted in the work tree
            var bytes = File.ReadAllBytes(path);
            if (Array.IndexOf(bytes, (byte)0) >= 0) continue; // binary
            var lines = System.Text.Encoding.UTF8.GetString(bytes).Split('\n');
            for (var i = 0; i < lines.Length; i++)
                if (OutsidePages.IsMatch(lines[i])) hits.Add($"{rel}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.True(hits.Count == 0, "point these at the page in docs/ instead:\n" + string.Join("\n", hits));
    }

    [Fact]
    public void The_outside_pages_pattern_matches_what_it_must()
    {
        foreach (var bad in new[] { "see ../" + "shared/x", "(" + "SCRIPT-API" + ".md)", "shared/" + "SIPHON-COMPAT" + ".md", "CPYTHON-FACTS" + ".md:" })
            Assert.Matches(OutsidePages, bad);
        Assert.DoesNotMatch(OutsidePages, "docs/script-api.md, docs/architecture.md, a shared pool");
    }

    /// <summary>The loader's key lists: every static string[] of ConfigLoader named *Keys (RootKeys,
    /// ServerKeys, TlsKeys, ClientKeys, and whatever list a new section adds).</summary>
    private static Dictionary<string, string[]> LoaderKeyLists() =>
        typeof(ConfigLoader).GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(f => f.FieldType == typeof(string[]) && f.Name.EndsWith("Keys", StringComparison.Ordinal))
            .ToDictionary(f => f.Name, f => (string[])f.GetValue(null)!);

    [Fact]
    public void Every_key_the_config_loader_accepts_is_in_configuration_md()
    {
        var lists = LoaderKeyLists();
        Assert.Contains("RootKeys", lists.Keys);
        Assert.Contains("ClientKeys", lists.Keys);
        // Each list is one the loader really checks against (guards against a stale field).
        // ConfigLoader.cs and its partial files (ConfigLoader.Tracing.cs, ...).
        var loader = string.Concat(Directory.GetFiles(Path.Combine(Root, "Siphon.Runtime/Config"), "ConfigLoader*.cs").Select(File.ReadAllText));
        foreach (var name in lists.Keys)
            Assert.True(loader.Contains($"CheckKeys(map, ", StringComparison.Ordinal) && Regex.IsMatch(loader, @"CheckKeys\([^)]*\b" + name + @"\)"),
                $"ConfigLoader.{name} is not passed to CheckKeys");

        var doc = File.ReadAllText(Path.Combine(Root, "docs/configuration.md"));
        var missing = lists.SelectMany(l => l.Value.Where(k => !doc.Contains($"`{k}`", StringComparison.Ordinal)).Select(k => $"{l.Key}: {k}")).ToList();
        Assert.True(missing.Count == 0, "docs/configuration.md does not describe:\n" + string.Join("\n", missing));
        // One section per top-level key.
        var headings = lists["RootKeys"].Where(k => !Regex.IsMatch(doc, $"^## `{Regex.Escape(k)}`", RegexOptions.Multiline)).ToList();
        Assert.True(headings.Count == 0, "docs/configuration.md has no '## `KEY`' section for: " + string.Join(", ", headings));
    }

    [Fact]
    public void Every_repository_path_named_in_docs_exists()
    {
        var topLevel = Directory.EnumerateFileSystemEntries(Root).Select(Path.GetFileName)
            .Where(n => n is not null && !n.StartsWith('.') && n is not ("bin" or "obj")).ToHashSet(StringComparer.Ordinal);
        var docsDir = Path.Combine(Root, "docs");
        var docs = Directory.EnumerateFiles(docsDir, "*.md", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(docs);
        var broken = new List<string>();
        var checkedCount = 0;
        foreach (var doc in docs)
        {
            var rel = Path.GetRelativePath(Root, doc);
            var lines = File.ReadAllLines(doc);
            for (var i = 0; i < lines.Length; i++)
            {
                // Markdown links: relative to the page.
                foreach (Match m in LinkTarget().Matches(lines[i]))
                {
                    var target = m.Groups["t"].Value.Split('#')[0];
                    if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                    checkedCount++;
                    var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(doc)!, target));
                    if (!File.Exists(full) && !Directory.Exists(full)) broken.Add($"{rel}:{i + 1}: link {target}");
                }
                // Code spans that start at a top-level entry of the repository: relative to the root.
                foreach (Match m in CodeSpan().Matches(lines[i]))
                {
                    var token = m.Groups["c"].Value.Trim();
                    var first = token.Split('/')[0];
                    if (!topLevel.Contains(first) || token.Contains(' ') || Regex.IsMatch(token, @"[<>*{}$]|NAME|\.\.\.")) continue;
                    if (!token.Contains('/') && !File.Exists(Path.Combine(Root, token))) continue;
                    checkedCount++;
                    var full = Path.Combine(Root, token.TrimEnd('/'));
                    if (!File.Exists(full) && !Directory.Exists(full)) broken.Add($"{rel}:{i + 1}: `{token}`");
                }
            }
        }
        Assert.True(checkedCount > 50, $"only {checkedCount} paths found in docs/: is the scan still working?");
        Assert.True(broken.Count == 0, "docs name paths that do not exist:\n" + string.Join("\n", broken));
    }

    [GeneratedRegex(@"\]\((?<t>[^)\s]+)\)")]
    private static partial Regex LinkTarget();

    [GeneratedRegex(@"`(?<c>[^`\n]+)`")]
    private static partial Regex CodeSpan();

    /// <summary>`git ls-files` when the checkout has its history; else every file outside build output.</summary>
    private static List<string> TrackedFiles()
    {
        if (Directory.Exists(Path.Combine(Root, ".git")) || File.Exists(Path.Combine(Root, ".git")))
        {
            var psi = new ProcessStartInfo("git", "ls-files -z") { WorkingDirectory = Root, RedirectStandardOutput = true, UseShellExecute = false };
            using var git = Process.Start(psi)!;
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            if (git.ExitCode == 0) return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        var skip = new[] { "bin", "obj", ".git", ".tools", "node_modules" };
        return Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Root, p))
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(s => skip.Contains(s)))
            .ToList();
    }
}
