using Siphon.Runtime.Config;

namespace Siphon.Runtime.Unit.Tests.Config;

internal static class ConfigTestSupport
{
    /// <summary>A config path that is never read (Parse takes the text); relative paths resolve against its directory.</summary>
    public static readonly string Source = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "siphon-config-tests", "app", "http.yaml"));

    public static readonly string SourceDir = Path.GetDirectoryName(Source)!;

    public static SiphonConfig Parse(string yaml, IReadOnlyDictionary<string, string>? env = null)
        => ConfigLoader.Parse(yaml, Source, Env(env));

    public static Func<string, string?> Env(IReadOnlyDictionary<string, string>? env = null)
        => name => env is not null && env.TryGetValue(name, out var v) ? v : null;

    /// <summary>Parses <paramref name="yaml"/>, expecting a ConfigException at <paramref name="line"/> for <paramref name="key"/>.</summary>
    public static ConfigException AssertError(string yaml, int line, string? key, string reasonFragment, IReadOnlyDictionary<string, string>? env = null)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(yaml, env));
        Assert.Equal(Source, e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(key, e.Key);
        Assert.Contains(reasonFragment, e.Reason, StringComparison.Ordinal);
        var prefix = key is null ? $"{Source}:{line}: " : $"{Source}:{line}: {key}: ";
        Assert.StartsWith(prefix, e.Message, StringComparison.Ordinal);
        Assert.Contains("http.yaml", e.Message, StringComparison.Ordinal);
        return e;
    }
}

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        PathName = Path.Combine(Path.GetTempPath(), "siphon-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(PathName);
    }

    public string PathName { get; }

    public string Write(string relative, string content)
    {
        var full = Path.Combine(PathName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(PathName, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
