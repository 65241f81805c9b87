// Writes stubs/siphon/*.pyi: the generator's class stubs for each module (from the registered
// PyTypeDefinitions) joined with the hand-written stubs of what the runtime defines in Python
// (decorators, exceptions, log functions), kept beside the Python sources they describe.
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Stubs;

public static class StubWriter
{
    /// <summary>File name (relative to the stubs root) → content.</summary>
    public static IReadOnlyDictionary<string, string> Render()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "python", "stubs");
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dir, "*.pyi.in"))
        {
            var module = Path.GetFileName(file)[..^".pyi.in".Length]; // "siphon.http"
            var classes = BindingRegistry.Definitions
                .Where(d => d.Module == module)
                .OrderBy(d => d.Name, StringComparer.Ordinal)
                .Select(d => d.Stub.TrimEnd() + "\n");
            var text = File.ReadAllText(file).Replace("# {generated classes}\n", string.Join("\n\n", classes), StringComparison.Ordinal);
            var parts = module.Split('.');
            var rel = parts.Length == 1 ? Path.Combine(parts[0], "__init__.pyi") : Path.Combine([.. parts[..^1], parts[^1] + ".pyi"]);
            result[rel] = text;
        }
        return result;
    }

    /// <summary>Writes the stubs under <paramref name="outDir"/>, leaving a file whose text is already
    /// right untouched (the build runs this after every build of the host: an unchanged surface must
    /// not dirty the tree or its timestamps).</summary>
    public static int WriteCommand(string outDir)
    {
        var written = 0;
        foreach (var (rel, text) in Render())
        {
            var path = Path.Combine(outDir, rel);
            if (File.Exists(path) && File.ReadAllText(path) == text) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            Console.WriteLine($"wrote {path}");
            written++;
        }
        if (written == 0) Console.WriteLine($"stubs in {outDir} are up to date");
        return 0;
    }
}
