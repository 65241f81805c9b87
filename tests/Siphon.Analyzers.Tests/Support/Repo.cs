namespace Siphon.Analyzers.Tests.Support;

/// <summary>Files of the real repository, found by walking up from the test binary to Siphon.sln.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Siphon.sln"))) return dir.FullName;
        throw new InvalidOperationException("Siphon.sln not found above " + AppContext.BaseDirectory);
    }
}
