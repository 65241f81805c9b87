// What one load of a script registered, read once from siphon._host's LoadedScript (see
// python/siphon/_host/loading.py, which computes every flag here) into named C# members: the worker
// never reads a Python tuple by index.
namespace Siphon.Runtime.Python;

/// <summary>One <c>@http.route</c>: <see cref="Sync"/> when the handler is a plain function,
/// <see cref="ChainSync"/> when its guards are too (the chain runs whole on the sync pool);
/// <see cref="WebSocket"/> for an <c>@http.websocket</c> route.</summary>
internal sealed record LoadedRoute(string Path, IReadOnlyList<string> Methods, PyRef Handler, string File, int Line,
    bool Stream, bool Sync, bool ChainSync, bool WebSocket);

/// <summary>A loaded script's routes, middleware and hooks. Its references are owned by the caller
/// from here on (a ScriptVersion takes them, or <see cref="Dispose"/> drops them).</summary>
internal sealed class LoadedScript : IDisposable
{
    /// <summary>Reads a siphon._host.LoadedScript. GIL held; a malformed one is a PythonException
    /// (or an InvalidCastException from the conversions), with nothing leaked.</summary>
    public static LoadedScript Read(nint loaded)
    {
        var script = new LoadedScript();
        try
        {
            using (var routes = PyObjects.GetAttr(loaded, "routes"))
                foreach (var r in PyObjects.Items(routes.Handle)) script._routes.Add(ReadRoute(r));
            script.Middleware = OptionalRef(loaded, "middleware");
            script.Wrappers = OptionalRef(loaded, "wrappers");
            script.MiddlewareCount = IntAttr(loaded, "middleware_count");
            script.WrappersSync = BoolAttr(loaded, "wrappers_sync");
            script.Startup = PyObjects.GetAttr(loaded, "startup").ToRef();
            script.Shutdown = PyObjects.GetAttr(loaded, "shutdown").ToRef();
            script.Module = PyObjects.GetAttr(loaded, "module").ToRef();
            script.Saved = PyObjects.GetAttr(loaded, "saved").ToRef();
            using var files = PyObjects.GetAttr(loaded, "files");
            script.Files = PyConvert.ToStringList(files.Handle, "files");
            return script;
        }
        catch
        {
            script.Dispose();
            throw;
        }
    }

    private static LoadedRoute ReadRoute(nint r)
    {
        using var path = PyObjects.GetAttr(r, "path");
        using var methods = PyObjects.GetAttr(r, "methods");
        using var file = PyObjects.GetAttr(r, "file");
        var handler = PyObjects.GetAttr(r, "handler").ToRef();
        try
        {
            return new LoadedRoute(PyConvert.ToString(path.Handle, "path"), PyConvert.ToStringList(methods.Handle, "methods"),
                handler, PyConvert.ToString(file.Handle, "file"), IntAttr(r, "line"),
                BoolAttr(r, "stream"), BoolAttr(r, "sync"), BoolAttr(r, "chain_sync"), BoolAttr(r, "websocket"));
        }
        catch
        {
            handler.Dispose();
            throw;
        }
    }

    private static PyRef? OptionalRef(nint o, string name)
    {
        var value = PyObjects.GetAttr(o, name);
        if (!PyConvert.IsNone(value.Handle)) return value.ToRef();
        value.Dispose();
        return null;
    }

    private static int IntAttr(nint o, string name)
    {
        using var v = PyObjects.GetAttr(o, name);
        return PyConvert.ToInt32(v.Handle, name);
    }

    private static bool BoolAttr(nint o, string name)
    {
        using var v = PyObjects.GetAttr(o, name);
        return PyObjects.IsTrue(v.Handle);
    }

    private readonly List<LoadedRoute> _routes = [];

    public IReadOnlyList<LoadedRoute> Routes => _routes;

    /// <summary>The chain runners' middleware: (fn, is_sync) pairs, or (fn, is_sync, wraps) triples
    /// when <see cref="Wraps"/>; null when the script registered none.</summary>
    public PyRef? Middleware { get; private set; }

    public int MiddlewareCount { get; private set; }

    /// <summary>The wrappers' triples alone (the chain of the host's own answers); null without any.</summary>
    public PyRef? Wrappers { get; private set; }

    public bool Wraps => Wrappers is not null;

    /// <summary>Every wrapper is a plain function (host answers then run on the sync pool).</summary>
    public bool WrappersSync { get; private set; }

    /// <summary>on_startup / on_shutdown hooks: lists of (fn, file, line), as siphon._host.run_hooks takes them.</summary>
    public PyRef Startup { get; private set; } = null!;
    public PyRef Shutdown { get; private set; } = null!;
    public PyRef Module { get; private set; } = null!;

    /// <summary>What siphon._host.restore_modules puts back when this version is not taken.</summary>
    public PyRef Saved { get; private set; } = null!;

    /// <summary>The script and the local modules it imported: what a live reload watches.</summary>
    public IReadOnlyList<string> Files { get; private set; } = [];

    /// <summary>Drops every reference (GIL held).</summary>
    public void Dispose()
    {
        foreach (var r in _routes) r.Handler.Dispose();
        foreach (var r in new[] { Middleware, Wrappers, Startup, Shutdown, Module, Saved }) r?.Dispose();
    }
}
