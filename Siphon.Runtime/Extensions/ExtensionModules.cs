// The Python modules of the loaded extensions, made in each interpreter at worker set-up (beside
// `siphon._native`): one module per [PyClass] Module name outside `siphon`, holding its types, so
// `from acme.pricing import Quote` works in scripts. A parent package is imported when one is
// installed, else made empty (`acme`); a module that an installed Python module already has the
// name of stops start-up (exit 2), so an extension never hides a real module.
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Extensions;

internal static class ExtensionModules
{
    /// <summary>Installs every extension module (none when no extension is loaded). GIL held.</summary>
    public static void Install(HostPackage host)
    {
        var byModule = ExtensionLoader.DefinitionsByModule().ToList();
        if (byModule.Count == 0) return;
        using var modules = PyOwned.Checked(CApi.PyDict_New());
        foreach (var group in byModule)
        {
            using var types = PyOwned.Checked(CApi.PyDict_New());
            foreach (var d in group)
                PyObjects.SetItem(types.Handle, d.Name, BindingRegistry.TypeOf(d.ClrType));
            PyObjects.SetItem(modules.Handle, group.Key, types.Handle);
        }
        try
        {
            host.InstallExtensionModules(modules.Handle);
        }
        catch (PythonException e) // a module that would hide an installed Python one
        {
            throw new ExtensionException(e.Message);
        }
    }
}
