using System.Diagnostics;
using System.Text.Json;
using Siphon.Runtime.Extensions;
using Siphon.Runtime.Stubs;

namespace Siphon.Runtime.Unit.Tests.Extensions;

/// <summary>pyright against the stubs `siphon stubs --config` writes for the example extension: the
/// example script checks clean, and a planted misuse of the extension's API is reported on its
/// line. pyright is the repository's (scripts/ensure-deps.sh test installs it into .tools/).</summary>
public class ExtensionStubsTypeCheckTests
{
    private const string Misuse = """
        from acme.pricing import Quote


        async def main() -> None:
            q = Quote("ab-1", "ten")
            total: str = await q.price_in("EUR")
            q.discounted()
        """;

    [Fact]
    public void Pyright_checks_scripts_against_the_extensions_stubs()
    {
        var pyright = Path.Combine(Repo.Root, ".tools", "node_modules", ".bin", "pyright");
        Assert.True(File.Exists(pyright), $"pyright not found at {pyright}: run scripts/ensure-deps.sh test");
        ExtensionLoader.Load([ExampleExtension.Dll]);
        var dir = Directory.CreateTempSubdirectory("siphon-ext-stubs-");
        try
        {
            foreach (var (rel, text) in StubWriter.Render())
            {
                var path = Path.Combine(dir.FullName, "typings", rel);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
            }
            File.Copy(Path.Combine(Repo.Root, "examples", "extensions", "pricing.py"), Path.Combine(dir.FullName, "pricing.py"));
            File.WriteAllText(Path.Combine(dir.FullName, "misuse.py"), Misuse);
            File.WriteAllText(Path.Combine(dir.FullName, "pyrightconfig.json"),
                """{"typeCheckingMode": "basic", "pythonVersion": "3.11", "stubPath": "typings", "reportMissingModuleSource": false}""");

            var psi = new ProcessStartInfo(pyright, ["--outputjson", "pricing.py", "misuse.py"])
            {
                WorkingDirectory = dir.FullName, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(120_000), "pyright did not finish");
            var errors = JsonDocument.Parse(stdout).RootElement.GetProperty("generalDiagnostics").EnumerateArray()
                .Where(d => d.GetProperty("severity").GetString() == "error")
                .Select(d => (File: Path.GetFileName(d.GetProperty("file").GetString()!), Line: d.GetProperty("range").GetProperty("start").GetProperty("line").GetInt32() + 1))
                .ToList();
            Assert.DoesNotContain(errors, e => e.File == "pricing.py");
            int LineOf(string text) => Misuse.Split('\n').ToList().FindIndex(l => l.Contains(text, StringComparison.Ordinal)) + 1;
            Assert.Equal(new[] { LineOf("\"ten\""), LineOf("total: str"), LineOf("q.discounted()") },
                errors.Where(e => e.File == "misuse.py").Select(e => e.Line).Distinct().Order().ToArray());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
