namespace Siphon.Tests.Shared;

/// <summary>The example extension (examples/extensions/Acme.Pricing), as the solution's build made it
/// in the configuration these tests were built in.</summary>
public static class ExampleExtension
{
    public static string Dll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Debug>/net10.0
            var dll = Path.Combine(Repo.Root, "examples", "extensions", "Acme.Pricing", "bin", configuration, "net10.0", "Acme.Pricing.dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (it builds the example extension)");
            return dll;
        }
    }
}
