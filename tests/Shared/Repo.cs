namespace Siphon.Tests.Shared;

/// <summary>The repository checkout the tests were built from.</summary>
public static class Repo
{
    /// <summary>The nearest folder above the test binaries that holds Siphon.sln.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Siphon.sln"))) return d.FullName;
        throw new InvalidOperationException($"no Siphon.sln above {AppContext.BaseDirectory}");
    }
}
