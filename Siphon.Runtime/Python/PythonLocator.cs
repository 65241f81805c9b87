// Finds the libpython a host should load. The answer comes from asking a real `python3`
// executable through sysconfig (docs/architecture.md, "CPython facts": Py_ENABLE_SHARED lies on Debian), or from a
// library path given directly. The choice comes from --python, then SIPHON_PYTHON, then http.yaml's
// `python:`, then `python3` on PATH. Failure lists every attempt and how to fix it.
using System.Diagnostics;
using System.Text.Json;

namespace Siphon.Runtime.Python;

/// <summary>What the host will load: the library, the executable it came from, and its home.</summary>
public sealed record PythonInstall(string LibraryPath, string? Executable, string? Home, Version Version)
{
    public override string ToString() =>
        $"CPython {Version.Major}.{Version.Minor} ({LibraryPath}{(Executable is null ? "" : $", from {Executable}")})";
}

public static class PythonLocator
{
    public const string EnvironmentVariable = "SIPHON_PYTHON";
    /// <summary>The CPython minor versions this host supports: the one list in the code (./test and
    /// scripts/ensure-deps.sh read it from this line; docs/architecture.md, "The engine: pythonnet", says it for users).
    /// Not 3.10: pythonnet 3.2.1 declares it but ships no 3.10 type layout ("Python ABI v3.10 is not
    /// supported" at PythonEngine.Initialize). Not 3.14: no build of it could be tested here.</summary>
    public static readonly Version[] Supported = [new(3, 11), new(3, 12), new(3, 13)];

    /// <summary>"3.11, 3.12, 3.13", for messages.</summary>
    public static string SupportedText => string.Join(", ", Supported.Select(s => $"{s.Major}.{s.Minor}"));

    private const string Query = """
        import sys, sysconfig, json
        v = sysconfig.get_config_var
        print(json.dumps({"libdir": v("LIBDIR"), "instsoname": v("INSTSONAME"), "ldlibrary": v("LDLIBRARY"),
            "libpl": v("LIBPL"), "multiarch": v("MULTIARCH"), "base_prefix": sys.base_prefix,
            "executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3]}))
        """;

    /// <summary>Resolves the Python to embed: <paramref name="commandLine"/> (--python) first, then
    /// $SIPHON_PYTHON, then <paramref name="configured"/> (http.yaml's `python:` key), then python3.</summary>
    public static PythonInstall Locate(string? configured = null, string? configSource = null, string? commandLine = null) =>
        Locate(configured, configSource, commandLine, Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>As <see cref="Locate(string?, string?, string?)"/> with $SIPHON_PYTHON's value passed in, so tests
    /// need not change the process environment that concurrently started servers inherit.</summary>
    public static PythonInstall Locate(string? configured, string? configSource, string? commandLine, string? env)
    {
        var (choice, origin) = !string.IsNullOrWhiteSpace(commandLine) ? (commandLine, "--python")
            : !string.IsNullOrWhiteSpace(env) ? (env, $"${EnvironmentVariable}")
            : !string.IsNullOrWhiteSpace(configured) ? (configured, $"'python:' in {configSource ?? "http.yaml"}")
            : ("python3", "the default");
        var tried = new List<string>();
        var found = TryChoice(choice, origin, tried);
        if (found is not null) return found;
        throw new PythonNotFoundException(
            $"no usable libpython (CPython {SupportedText}, shared library) was found.\n" +
            "Tried:\n  - " + string.Join("\n  - ", tried) + "\n" +
            "Fix: install one (Debian: apt-get install libpython3.11 python3), or point " +
            $"{EnvironmentVariable} (or 'python:' in http.yaml) at a python executable or a libpython3.X.so file.");
    }

    private static PythonInstall? TryChoice(string choice, string origin, List<string> tried)
    {
        if (LooksLikeLibrary(choice)) return TryLibrary(choice, origin, tried);
        var exe = ResolveExecutable(choice);
        if (exe is null)
        {
            tried.Add($"{choice} ({origin}): not an executable on PATH or on disk");
            return null;
        }
        return TryExecutable(exe, origin, tried);
    }

    private static bool LooksLikeLibrary(string path)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith("libpython", StringComparison.Ordinal) && (name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal));
    }

    private static PythonInstall? TryLibrary(string path, string origin, List<string> tried)
    {
        if (!File.Exists(path))
        {
            tried.Add($"{path} ({origin}): no such file");
            return null;
        }
        var version = VersionFromLibraryName(Path.GetFileName(path));
        if (version is null || !IsSupported(version))
        {
            tried.Add($"{path} ({origin}): cannot tell a supported CPython version from the file name");
            return null;
        }
        var home = GuessHome(Path.GetFullPath(path), version);
        if (home is null)
        {
            tried.Add($"{path} ({origin}): found no standard library (lib/python{version.Major}.{version.Minor}/os.py) above it");
            return null;
        }
        return new PythonInstall(Path.GetFullPath(path), null, home, version);
    }

    private static PythonInstall? TryExecutable(string exe, string origin, List<string> tried)
    {
        JsonElement info;
        try
        {
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(Query);
            psi.Environment.Remove(EnvironmentVariable);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(20_000))
            {
                p.Kill(true);
                tried.Add($"{exe} ({origin}): did not answer within 20 s");
                return null;
            }
            if (p.ExitCode != 0)
            {
                tried.Add($"{exe} ({origin}): exited {p.ExitCode}: {stderr.Result.Trim()}");
                return null;
            }
            info = JsonDocument.Parse(stdout.Result).RootElement;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or JsonException or InvalidOperationException)
        {
            tried.Add($"{exe} ({origin}): {e.Message}");
            return null;
        }
        var version = Version.Parse(info.GetProperty("version").GetString()!);
        var realExe = info.GetProperty("executable").GetString() is { Length: > 0 } e2 ? e2 : exe;
        if (!IsSupported(version))
        {
            tried.Add($"{realExe} ({origin}): CPython {version} is not supported");
            return null;
        }
        string? Get(string k) => info.GetProperty(k).ValueKind == JsonValueKind.String ? info.GetProperty(k).GetString() : null;
        var dirs = new[] { Get("libdir"), Get("libpl"), Get("multiarch") is { } m ? Path.Combine("/usr/lib", m) : null }
            .Where(d => !string.IsNullOrEmpty(d)).Distinct().ToList();
        // INSTSONAME (the versioned soname) first: Debian ships the unversioned .so only in -dev.
        var names = new[] { Get("instsoname"), Get("ldlibrary") }.Where(n => !string.IsNullOrEmpty(n) && n!.Contains(".so")).Distinct().ToList();
        foreach (var dir in dirs)
            foreach (var name in names)
            {
                var candidate = Path.Combine(dir!, name!);
                if (File.Exists(candidate))
                    return new PythonInstall(candidate, realExe, null, version);
                tried.Add($"{candidate} (asked {realExe}, {origin}): no such file");
            }
        if (names.Count == 0)
            tried.Add($"{realExe} ({origin}): CPython {version} reports no shared library (a static build)");
        return null;
    }

    internal static Version? VersionFromLibraryName(string name)
    {
        // libpython3.11.so, libpython3.11.so.1.0, libpython3.13d.so
        var rest = name["libpython".Length..];
        var end = rest.IndexOf(".so", StringComparison.Ordinal);
        if (end < 0) return null;
        var ver = rest[..end].TrimEnd('d', 'm', 't');
        return Version.TryParse(ver, out var v) ? v : null;
    }

    internal static bool IsSupported(Version v) => Supported.Any(s => s.Major == v.Major && s.Minor == v.Minor);

    private static string? GuessHome(string libraryPath, Version v)
    {
        for (var dir = Path.GetDirectoryName(libraryPath); dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "lib", $"python{v.Major}.{v.Minor}", "os.py")))
                return dir;
        return null;
    }

    private static string? ResolveExecutable(string choice)
    {
        if (choice.Contains('/'))
            return File.Exists(choice) ? Path.GetFullPath(choice) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, choice);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
