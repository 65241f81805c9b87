// Loading the script on the worker thread: run siphon._host.load_script, turn what the script
// registered into this worker's routing table, handlers and middleware chain, run on_startup, and
// report a failure as a ScriptLoadException naming the script line.
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;
using Siphon.Runtime.Routing;

namespace Siphon.Runtime.Hosting;

public sealed unsafe partial class Worker
{
    private void LoadScript()
    {
        using var load = Attr(_host!.Handle, "load_script");
        using var path = PyOwned.Steal(PyConvert.ToPy(_scriptPath));
        var result = CApi.PyObject_CallOneArg(load.Handle, path.Handle);
        if (result == 0) throw ScriptError("failed to load");
        using var registered = PyOwned.Steal(result);

        // routes: (path, methods, fn, file, line, stream)
        var routes = CApi.PyTuple_GetItem(registered.Handle, 0);
        var n = (int)CApi.PyList_Size(routes);
        var defs = new List<RouteDefinition>(n);
        _handlers = new PyRef[n];
        _handlerSync = new bool[n];
        _handlerStream = new bool[n];
        using var isAsync = Attr(_host.Handle, "is_async");
        for (var i = 0; i < n; i++)
        {
            var entry = CApi.PyList_GetItem(routes, i);
            var pattern = PyConvert.ToString(CApi.PyTuple_GetItem(entry, 0), "path");
            var methods = PyConvert.ToStringList(CApi.PyTuple_GetItem(entry, 1), "methods");
            _handlers[i] = new PyBorrowed(CApi.PyTuple_GetItem(entry, 2)).NewReference().ToRef();
            _handlerSync[i] = !CallPredicate(isAsync.Handle, _handlers[i].Handle);
            var file = PyConvert.ToString(CApi.PyTuple_GetItem(entry, 3), "file");
            var line = PyConvert.ToInt32(CApi.PyTuple_GetItem(entry, 4), "line");
            _handlerStream[i] = CApi.PyTuple_Size(entry) > 5 && CApi.PyTuple_GetItem(entry, 5) == Py.True;
            defs.Add(new RouteDefinition(pattern, methods, i, file, line));
        }
        RouteSignature = string.Join("\n", defs.Select(d => $"{d.Pattern} {string.Join(",", d.Methods)} {d.HandlerId} {d.Location}"));
        try { Routes = RouteTable.Build(defs); }
        catch (RouteTableException e) { throw new ScriptLoadException(e.Message); }
        catch (ArgumentException e) { throw new ScriptLoadException($"{_scriptPath}: {e.Message}"); }

        var middleware = CApi.PyTuple_GetItem(registered.Handle, 1);
        var m = CApi.PyList_Size(middleware);
        var middlewareSync = true;
        if (m > 0)
        {
            // With a wrapper among them, (fn, is_sync, wraps) triples for the wrapping runners.
            var wrapping = AnyWrapper(middleware);
            using var pairs = PyOwned.Checked(CApi.PyTuple_New(m));
            for (nint i = 0; i < m; i++)
            {
                var entry = CApi.PyList_GetItem(middleware, i);
                var fn = CApi.PyTuple_GetItem(entry, 0);
                var sync = !CallPredicate(isAsync.Handle, fn);
                middlewareSync &= sync;
                using var pair = PyOwned.Checked(CApi.PyTuple_New(wrapping ? 3 : 2));
                CApi.Py_IncRef(fn);
                CApi.PyTuple_SetItem(pair.Handle, 0, fn);
                CApi.PyTuple_SetItem(pair.Handle, 1, Py.NewBool(sync));
                if (wrapping) CApi.PyTuple_SetItem(pair.Handle, 2, Py.NewBool(CApi.PyTuple_GetItem(entry, 1) == Py.True));
                CApi.PyTuple_SetItem(pairs.Handle, i, pair.Steal());
            }
            _middleware = pairs.ToRef();
            if (wrapping) UseWrappingRunners();
        }
        _chainSync = _handlerSync.Select(h => h && middlewareSync).ToArray();
        _shutdownHooks = new PyBorrowed(CApi.PyTuple_GetItem(registered.Handle, 3)).NewReference().ToRef();

        // on_startup hooks run to completion before any listener accepts.
        using var runHooks = Attr(_host.Handle, "run_hooks");
        var args = stackalloc nint[2] { _loop!.Handle, CApi.PyTuple_GetItem(registered.Handle, 2) };
        var ran = CApi.PyObject_Vectorcall(runHooks.Handle, args, 2, 0);
        if (ran == 0) throw ScriptError("on_startup hook failed");
        CApi.Py_DecRef(ran);
        if (IsSubInterpreter)
            _log.LogInformation("worker {Index} (sub-interpreter) loaded {Script}: {Routes} routes, {Middleware} middleware", Index, _scriptPath, n, m);
        else
            _log.LogInformation("loaded {Script}: {Routes} routes, {Middleware} middleware", _scriptPath, n, m);
    }

    /// <summary>The pending Python error as a ScriptLoadException naming the script line.</summary>
    private ScriptLoadException ScriptError(string what)
    {
        nint type, value, tb;
        CApi.PyErr_Fetch(&type, &value, &tb);
        CApi.PyErr_NormalizeException(&type, &value, &tb);
        if (tb != 0) CApi.PyException_SetTraceback(value, tb);
        using var t = PyOwned.Steal(type);
        using var v = PyOwned.Steal(value);
        using var b = PyOwned.Steal(tb);
        var traceback = PyErrors.FormatTraceback(v.Handle).TrimEnd();
        var where = _scriptPath;
        using (var locate = Attr(_host!.Handle, "error_location"))
        using (var path = PyOwned.Steal(PyConvert.ToPy(_scriptPath)))
        {
            var args = stackalloc nint[2] { v.Handle, path.Handle };
            using var loc = PyOwned.Steal(CApi.PyObject_Vectorcall(locate.Handle, args, 2, 0));
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

    private static PyRef Import(string name) => PyOwned.Checked(CApi.PyImport_ImportModule((byte*)Utf8Z.Of(name))).ToRef();

    private static PyOwned Attr(nint o, string name) => PyOwned.Checked(CApi.PyObject_GetAttrString(o, (byte*)Utf8Z.Of(name)));

    private static bool CallPredicate(nint fn, nint arg)
    {
        using var r = PyOwned.Checked(CApi.PyObject_CallOneArg(fn, arg));
        return CApi.PyObject_IsTrue(r.Handle) == 1;
    }

    private static bool CallBool(nint o, string method)
    {
        using var m = Attr(o, method);
        using var r = PyOwned.Checked(CApi.PyObject_CallNoArgs(m.Handle));
        return r.Handle == Py.True;
    }
}
