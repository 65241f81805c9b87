// The .pyi text is valid Python: every class stub, and all of them together, parse with the
// interpreter's own `ast` module (the python3 on PATH, as the runtime uses).
using System.Diagnostics;

namespace Siphon.Bindings.Generator.Tests;

public class StubSyntaxTests
{
    [Fact]
    public void Every_stub_parses_as_python()
    {
        var stubs = TestHelpers.GoodModels().Values.Select(BindingGenerator.EmitStub).ToList();
        Assert.NotEmpty(stubs);
        foreach (var stub in stubs) AssertParses(stub);
        AssertParses(string.Join("\n", stubs));
    }

    [Fact]
    public void The_syntax_check_rejects_broken_python() =>
        Assert.ThrowsAny<Exception>(() => AssertParses("class X:\n    def f(self, *) -> None: ...\n"));

    private static void AssertParses(string source)
    {
        var start = new ProcessStartInfo("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read(), '<stub>')"])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(source);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{error}\n---\n{source}");
    }
}
