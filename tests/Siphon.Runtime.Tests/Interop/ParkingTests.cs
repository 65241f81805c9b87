using Siphon.Runtime.Python;

namespace Siphon.Runtime.Tests.Interop;

/// <summary>siphon/_host/parking.py's check for threads the host does not know: it notices a .NET
/// namespace imported since it last looked, and keeps it noticed once the module is gone (its
/// delegates may still call in).</summary>
[Collection("python")]
public class ParkingTests
{
    [Fact]
    public void A_dotnet_namespace_imported_between_two_waits_is_noticed_and_stays_noticed()
    {
        PythonFixture.Ensure();
        using var gil = Gil.Acquire();
        var parking = Path.Combine(PythonRuntime.PackageDirectory, "siphon", "_host", "parking.py");
        var result = PythonFixture.RunString($$"""
            import importlib.util, sys
            spec = importlib.util.spec_from_file_location("parking_under_test", {{System.Text.Json.JsonSerializer.Serialize(parking)}})
            p = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(p)  # a fresh copy: nothing seen yet

            class ModuleObject:  # what pythonnet's namespace modules look like to the check
                pass
            ModuleObject.__module__ = "CLR"

            # Earlier tests in this process may have imported .NET namespaces: set them aside.
            aside = {n: m for n, m in sys.modules.items() if type(m).__module__ == "CLR"}
            for n in aside:
                del sys.modules[n]
            try:
                steps = [p._dotnet_imported(), p._dotnet_imported()]
                sys.modules["siphon_test_namespace"] = ModuleObject()
                steps.append(p._dotnet_imported())
                del sys.modules["siphon_test_namespace"]
                steps.append(p._dotnet_imported())  # gone, still counted: its delegates may call in
                steps.append(p.foreign_threads())
            finally:
                sys.modules.pop("siphon_test_namespace", None)
                sys.modules.update(aside)
            """, "' '.join(map(str, steps))");
        Assert.Equal("False False True True True", result);
    }
}
