using System.Diagnostics;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>The CPython executables on this machine, by version, for tests that need a particular
/// one whatever Python the suite itself runs on ($SIPHON_PYTHON): $SIPHON_PYTHON, the pyenv builds
/// under $PYENV_ROOT/versions (default ~/.pyenv), and python3.X on PATH, each asked for its
/// version once.</summary>
public static class Pythons
{
    private static readonly Lazy<IReadOnlyList<(string Path, Version Version)>> s_all = new(Find);

    public static IReadOnlyList<(string Path, Version Version)> All => s_all.Value;

    /// <summary>The newest CPython ≥ 3.13 (sub-interpreters with their own GIL), or null.</summary>
    public static string? AtLeast313 => All.Where(p => p.Version >= new Version(3, 13)).OrderByDescending(p => p.Version).Select(p => p.Path).FirstOrDefault();

    /// <summary>A CPython the host supports that is older than 3.13 (3.12 first, then 3.11), or null.</summary>
    public static string? Before313 => All.Where(p => p.Version >= new Version(3, 11) && p.Version < new Version(3, 13))
        .OrderByDescending(p => p.Version).Select(p => p.Path).FirstOrDefault();

    /// <summary>$PYENV_ROOT/versions, where pyenv keeps its builds (pyenv's default root: ~/.pyenv).</summary>
    public static string PyenvVersions => Path.Combine(
        Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } root
            ? root : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv"),
        "versions");

    /// <summary>Whether <paramref name="python"/> can import <paramref name="module"/>.</summary>
    public static bool CanImport(string python, string module)
    {
        var psi = new ProcessStartInfo(python, ["-c", $"import {module}"]) { RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        p.StandardError.ReadToEnd();
        return p.WaitForExit(20_000) && p.ExitCode == 0;
    }

    /// <summary>Environment for a child host that must use the --python it is given: $SIPHON_PYTHON
    /// (which the suite may set) takes precedence over --python, so it is blanked.</summary>
    public static Dictionary<string, string> WithoutSuitePython() => new() { ["SIPHON_PYTHON"] = "" };

    private static IReadOnlyList<(string, Version)> Find()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("SIPHON_PYTHON") is { Length: > 0 } env) candidates.Add(env);
        var pyenv = PyenvVersions;
        if (Directory.Exists(pyenv))
            candidates.AddRange(Directory.GetDirectories(pyenv).Select(d => Path.Combine(d, "bin", "python3")));
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            for (var minor = 11; minor <= 20; minor++)
                candidates.Add(Path.Combine(dir, $"python3.{minor}"));
        var found = new List<(string, Version)>();
        foreach (var path in candidates.Where(File.Exists).Distinct())
            if (VersionOf(path) is { } v) found.Add((path, v));
        return found;
    }

    private static Version? VersionOf(string python)
    {
        try
        {
            var psi = new ProcessStartInfo(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(20_000) || p.ExitCode != 0) return null;
            return Version.TryParse(output.Trim(), out var v) ? v : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

/// <summary>A fact that needs a CPython ≥ 3.13 on the machine (not necessarily the suite's).</summary>
public sealed class Python313FactAttribute : FactAttribute
{
    public Python313FactAttribute()
    {
        if (Pythons.AtLeast313 is null)
            Skip = "no CPython 3.13 or newer on this machine ($SIPHON_PYTHON, $PYENV_ROOT/versions/*, python3.X on PATH): worker_mode: interpreters needs one";
    }
}

/// <summary>A fact that needs a CPython ≥ 3.13 with CPython's single-phase-init test extension
/// (_testsinglephase, shipped with the test modules of a source build such as pyenv's).</summary>
public sealed class Python313WithSinglePhaseModuleFactAttribute : FactAttribute
{
    public Python313WithSinglePhaseModuleFactAttribute()
    {
        if (Pythons.AtLeast313 is not { } python)
            Skip = "no CPython 3.13 or newer on this machine";
        else if (!Pythons.CanImport(python, "_testsinglephase"))
            Skip = $"{python} has no _testsinglephase (its test modules are not installed)";
    }
}

/// <summary>A fact that needs a supported CPython older than 3.13 (3.11 or 3.12) on the machine.</summary>
public sealed class PythonBefore313FactAttribute : FactAttribute
{
    public PythonBefore313FactAttribute()
    {
        if (Pythons.Before313 is null)
            Skip = "no CPython 3.11 or 3.12 on this machine to check that worker_mode: interpreters is refused on it";
    }
}

/// <summary>A slow check (a 256 MiB transfer) that runs in the full mode of the tests only
/// (`SIPHON_FULL=1 ./test`), skipped with the reason otherwise: `./test` stays within its time.</summary>
public sealed class FullModeFactAttribute : FactAttribute
{
    public FullModeFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SIPHON_FULL")))
            Skip = "a 256 MiB transfer: runs with SIPHON_FULL=1 ./test (the full mode)";
    }
}
