// Loading the script on the worker thread: run siphon._host.load_script, turn what the script
// registered into a ScriptVersion (routing table, handlers, middleware chain), run on_startup, and
// report a failure as a ScriptLoadException naming the script line. Live reload loads later
// versions the same way (Worker.Reload.cs).
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;
using Siphon.Runtime.Routing;

namespace Siphon.Runtime.Hosting.Dispatch;

public sealed unsafe partial class Worker
{
    /// <summary>Start-up: loads the first version, runs its on_startup hooks (the loop is not
    /// running yet) and makes it current.</summary>
    private void LoadScript()
    {
        var (version, startup, saved) = LoadVersion();
        using (startup)
        using (saved)
        {
            // on_startup hooks run to completion before any listener accepts.
            using var runHooks = PyObjects.GetAttr(_host!.Handle, "run_hooks");
            var args = stackalloc nint[2] { _loop!.Handle, startup.Handle };
            var ran = CApi.PyObject_Vectorcall(runHooks.Handle, args, 2, 0);
            if (ran == 0)
            {
                var error = ScriptError("on_startup hook failed");
                version.DisposeReferences();
                throw error;
            }
            CApi.Py_DecRef(ran);
        }
        _current = version;
        _versions.Add(version);
        var n = version.Handlers.Length;
        var m = version.Middleware is null ? 0 : CApi.PyTuple_Size(version.Middleware.Handle);
        if (IsSubInterpreter)
            _log.LogInformation("worker {Index} (sub-interpreter) loaded {Script}: {Routes} routes, {Middleware} middleware", Index, _scriptPath, n, m);
        else
            _log.LogInformation("loaded {Script}: {Routes} routes, {Middleware} middleware", _scriptPath, n, m);
    }

    /// <summary>Runs siphon._host.load_script (a fresh module) and turns what the script registered
    /// into a version: routing table, handlers, middleware chain. Returns it with its on_startup
    /// hooks (not run yet) and what restores sys.modules if the version is not taken. Throws a
    /// ScriptLoadException naming the script line.</summary>
    private (ScriptVersion Version, PyRef Startup, PyRef Saved) LoadVersion()
    {
        using var load = PyObjects.GetAttr(_host!.Handle, "load_script");
        using var path = PyOwned.Adopt(PyConvert.ToPy(_scriptPath));
        var result = CApi.PyObject_CallOneArg(load.Handle, path.Handle);
        if (result == 0) throw ScriptError("failed to load");
        using var registered = PyOwned.Adopt(result);
        var tuple = registered.Handle;
        PyRef Item(int i) => new PyBorrowed(CApi.PyTuple_GetItem(tuple, i)).NewReference().ToRef();
        var saved = Item(6);

        // routes: (path, methods, fn, file, line, stream)
        var routes = CApi.PyTuple_GetItem(registered.Handle, 0);
        var n = (int)CApi.PyList_Size(routes);
        var defs = new List<RouteDefinition>(n);
        var handlers = new PyRef[n];
        var handlerSync = new bool[n];
        var handlerStream = new bool[n];
        PyRef? middlewareRef = null, wrappersRef = null;
        try
        {
            using var isAsync = PyObjects.GetAttr(_host.Handle, "is_async");
            for (var i = 0; i < n; i++)
            {
                var entry = CApi.PyList_GetItem(routes, i);
                var pattern = PyConvert.ToString(CApi.PyTuple_GetItem(entry, 0), "path");
                var methods = PyConvert.ToStringList(CApi.PyTuple_GetItem(entry, 1), "methods");
                handlers[i] = new PyBorrowed(CApi.PyTuple_GetItem(entry, 2)).NewReference().ToRef();
                handlerSync[i] = !CallPredicate(isAsync.Handle, handlers[i].Handle);
                var file = PyConvert.ToString(CApi.PyTuple_GetItem(entry, 3), "file");
                var line = PyConvert.ToInt32(CApi.PyTuple_GetItem(entry, 4), "line");
                handlerStream[i] = CApi.PyTuple_Size(entry) > 5 && CApi.PyTuple_GetItem(entry, 5) == PyBuiltins.True;
                defs.Add(new RouteDefinition(pattern, methods, i, file, line));
            }
            var signature = string.Join("\n", defs.Select(d => $"{d.Pattern} {string.Join(",", d.Methods)} {d.HandlerId} {d.Location}"));
            RouteTable table;
            try { table = RouteTable.Build(defs); }
            catch (RouteTableException e) { throw new ScriptLoadException(e.Message); }
            catch (ArgumentException e) { throw new ScriptLoadException($"{_scriptPath}: {e.Message}"); }

            // middleware: (fn, wraps, file, line)
            var middleware = CApi.PyTuple_GetItem(registered.Handle, 1);
            var m = CApi.PyList_Size(middleware);
            var middlewareSync = true;
            var wrappersSync = true;
            if (m > 0)
            {
                // With a wrapper among them, (fn, is_sync, wraps) triples for the wrapping runners;
                // each version decides for itself (a reload may add or remove wrappers).
                var wrapping = AnyWrapper(middleware);
                using var pairs = PyOwned.Checked(CApi.PyTuple_New(m));
                for (nint i = 0; i < m; i++)
                {
                    var entry = CApi.PyList_GetItem(middleware, i);
                    var fn = CApi.PyTuple_GetItem(entry, 0);
                    var sync = !CallPredicate(isAsync.Handle, fn);
                    middlewareSync &= sync;
                    CApi.Py_IncRef(fn); // the tuple's own reference
                    using var pair = wrapping
                        ? PyObjects.TupleOf(fn, PyBuiltins.NewBool(sync), PyBuiltins.NewBool(CApi.PyTuple_GetItem(entry, 1) == PyBuiltins.True))
                        : PyObjects.TupleOf(fn, PyBuiltins.NewBool(sync));
                    PyObjects.SetTupleItem(pairs.Handle, i, pair.Steal());
                }
                middlewareRef = pairs.ToRef();
                if (wrapping) wrappersRef = WrappersOf(middlewareRef.Handle, out wrappersSync);
            }
            var files = PyConvert.ToStringList(CApi.PyTuple_GetItem(registered.Handle, 5), "files");
            var version = new ScriptVersion(++_versionCount, table, signature, handlers, handlerSync, handlerStream,
                handlerSync.Select(h => h && middlewareSync).ToArray(), middlewareRef, wrappersRef, wrappersSync, Item(3), Item(4), files);
            return (version, Item(2), saved);
        }
        catch
        {
            foreach (var h in handlers) h?.Dispose();
            middlewareRef?.Dispose();
            wrappersRef?.Dispose();
            RestoreModules(saved);
            saved.Dispose();
            throw;
        }
    }

    /// <summary>Puts sys.modules back as it was before a version that is not taken was loaded.</summary>
    private void RestoreModules(PyRef saved)
    {
        using var restore = PyObjects.GetAttr(_host!.Handle, "restore_modules");
        using var r = PyOwned.Adopt(CApi.PyObject_CallOneArg(restore.Handle, saved.Handle));
        if (r.IsNull) CApi.PyErr_Clear();
    }

    /// <summary>The pending Python error as a ScriptLoadException naming the script line.</summary>
    private ScriptLoadException ScriptError(string what)
    {
        using var exception = PyOwned.Checked(PyErrors.FetchException());
        return ScriptError(what, exception.Handle);
    }

    /// <summary>An exception instance (with its traceback) as a ScriptLoadException naming the script line.</summary>
    private ScriptLoadException ScriptError(string what, nint exception)
    {
        var traceback = PyErrors.FormatTraceback(exception).TrimEnd();
        var where = _scriptPath;
        using (var locate = PyObjects.GetAttr(_host!.Handle, "error_location"))
        using (var path = PyOwned.Adopt(PyConvert.ToPy(_scriptPath)))
        {
            var args = stackalloc nint[2] { exception, path.Handle };
            using var loc = PyOwned.Adopt(CApi.PyObject_Vectorcall(locate.Handle, args, 2, 0));
            if (loc.IsNull) CApi.PyErr_Clear();
            else if (!PyConvert.IsNone(loc.Handle)) where = PyConvert.ToStringRaw(loc.Handle);
        }
        var last = traceback.Split('\n')[^1];
        var hint = IsSubInterpreter && traceback.Contains("subinterpreters", StringComparison.Ordinal)
            ? "\n(worker_mode: interpreters runs workers 1..N-1 in sub-interpreters, where extension modules without sub-interpreter support cannot load; worker_mode: processes has no such limit)"
            : "";
        var who = IsSubInterpreter ? $"worker {Index} (sub-interpreter): " : "";
        return new ScriptLoadException($"{who}{where}: {what}: {last}\n{traceback}{hint}");
    }

    private static bool CallPredicate(nint fn, nint arg)
    {
        using var r = PyOwned.Checked(CApi.PyObject_CallOneArg(fn, arg));
        var truth = CApi.PyObject_IsTrue(r.Handle);
        return truth >= 0 ? truth == 1 : throw PyErrors.Fetch(); // its __bool__ raised
    }

}
