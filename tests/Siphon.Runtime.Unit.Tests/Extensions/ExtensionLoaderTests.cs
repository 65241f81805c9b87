using Siphon.Runtime.Config;
using Siphon.Runtime.Extensions;
using Siphon.Runtime.Python.Binding;
using Siphon.Runtime.Stubs;

namespace Siphon.Runtime.Unit.Tests.Extensions;

/// <summary>Loading the assemblies of http.yaml's `extensions:` (no CPython: registering bound types
/// is C# only): the example's types are registered under their module, and each kind of unusable
/// file is refused with a message naming it, its key and what is wrong.</summary>
public class ExtensionLoaderTests
{
    [Fact]
    public void The_example_extension_registers_its_type_under_its_module()
    {
        Assert.Equal(["acme.pricing"], ExtensionLoader.Load([ExampleExtension.Dll]));
        var quote = Assert.Single(BindingRegistry.Definitions, d => d.Module == "acme.pricing");
        Assert.Equal(("Quote", "Acme.Pricing.Quote"), (quote.Name, quote.ClrType.FullName));
        Assert.Contains("async def price_in(self, currency: str) -> float:", quote.Stub);
        Assert.Equal(["acme.pricing"], ExtensionLoader.Load([ExampleExtension.Dll])); // loaded once, not twice

        // `siphon stubs --config http.yaml`: the module's stub, and its parent package's.
        var stubs = StubWriter.Render();
        Assert.Equal("", stubs[Path.Combine("acme", "__init__.pyi")]);
        var pricing = stubs[Path.Combine("acme", "pricing.pyi")];
        Assert.StartsWith("\"\"\"Bound .NET types of acme.pricing, from the extension Acme.Pricing", pricing);
        Assert.Contains("class Quote:", pricing);
        Assert.Contains("    def __init__(self, sku: str, price: float) -> None:", pricing);
    }

    [Fact]
    public void Unusable_files_are_refused_naming_the_file_the_key_and_what_is_wrong()
    {
        var dir = Directory.CreateTempSubdirectory("siphon-ext-");
        try
        {
            var missing = Path.Combine(dir.FullName, "Nope.dll");
            Assert.Equal($"{missing} (extensions[0]): no such file",
                Assert.Throws<ExtensionException>(() => ExtensionLoader.Load([missing])).Message);

            var text = Path.Combine(dir.FullName, "notes.dll");
            File.WriteAllText(text, "not an assembly\n");
            Assert.StartsWith($"{text} (extensions[1]): not a .NET assembly",
                Assert.Throws<ExtensionException>(() => ExtensionLoader.Load([ExampleExtension.Dll, text])).Message);

            var plain = typeof(FactAttribute).Assembly.Location; // an assembly with no bound types
            Assert.StartsWith($"{plain} (extensions[0]): no [PyClass] type",
                Assert.Throws<ExtensionException>(() => ExtensionLoader.Load([plain])).Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Extensions_are_paths_relative_to_the_config_file_and_a_change_needs_a_restart()
    {
        var a = ConfigLoader.Parse("extensions:\n  - ext/Acme.Pricing.dll\n  - /opt/b.dll\n", "/srv/app/http.yaml");
        Assert.Equal(["/srv/app/ext/Acme.Pricing.dll", "/opt/b.dll"], a.Extensions);
        Assert.Empty(ConfigLoader.Parse("servers: []\n", "/srv/app/http.yaml").Extensions);
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("extensions: ext/Acme.Pricing.dll\n", "/srv/app/http.yaml"));
        Assert.Contains("extensions", error.Message);
        Assert.Contains("expected a sequence of paths of .NET assemblies", error.Message);
        var b = ConfigLoader.Parse("extensions:\n  - /opt/b.dll\n", "/srv/app/http.yaml");
        Assert.Contains("extensions", ConfigReload.NeedsRestart(a, b));
        Assert.DoesNotContain("extensions", ConfigReload.NeedsRestart(a, a with { }));
    }
}
