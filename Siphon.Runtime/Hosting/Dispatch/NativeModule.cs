// `siphon._native`: the module the runtime's Python package imports its bound types and the log
// sink from. Installed into sys.modules before `siphon` is first imported, in each interpreter.
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Hosting.Dispatch;

public static class NativeModule
{
    /// <summary>Creates the module with every bound type of module siphon or siphon.*, the log
    /// callable (taking a (level, message) tuple) and `cache`, the one CacheNamespace. GIL held.</summary>
    public static void Install(Func<nint, nint> log)
    {
        using var module = PyObjects.NewModule("siphon._native");
        foreach (var def in BindingRegistry.Definitions)
        {
            if (!Extensions.ExtensionLoader.IsHostModule(def.Module)) continue;
            var type = BindingRegistry.TypeOf(def.ClrType);
            PyObjects.SetAttr(module.Handle, def.Name, type);
        }
        using var logFn = PyOwned.Checked(NativeCallable.Create(log));
        PyObjects.SetAttr(module.Handle, "log", logFn.Handle);
        using var cache = PyOwned.Checked(BoundObject.Wrap(Cache.CacheNamespace.Instance));
        PyObjects.SetAttr(module.Handle, "cache", cache.Handle);
        PyObjects.AddToSysModules("siphon._native", module.Handle);
    }
}
