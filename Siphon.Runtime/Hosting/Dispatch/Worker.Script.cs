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
            try { _host!.RunHooks(_loop!.Handle, startup, _scriptPath); }
            catch (ScriptRaisedException e)
            {
                version.DisposeReferences();
                throw ScriptError("on_startup hook failed", e);
            }
        }
        _current = version;
        _versions.Add(version);
        var n = version.Handlers.Length;
        if (IsSubInterpreter)
            _log.LogInformation("worker {Index} (sub-interpreter) loaded {Script}: {Routes} routes, {Middleware} middleware", Index, _scriptPath, n, version.MiddlewareCount);
        else
            _log.LogInformation("loaded {Script}: {Routes} routes, {Middleware} middleware", _scriptPath, n, version.MiddlewareCount);
    }

    /// <summary>Runs siphon._host.load_script (a fresh module) and turns what the script registered
    /// into a version: routing table, handlers, middleware chain. Returns it with its on_startup
    /// hooks (not run yet) and what restores sys.modules if the version is not taken. Throws a
    /// ScriptLoadException naming the script line.</summary>
    private (ScriptVersion Version, PyRef Startup, PyRef Saved) LoadVersion()
    {
        LoadedScript loaded;
        try { loaded = _host!.LoadScript(_scriptPath); }
        catch (ScriptRaisedException e) { throw ScriptError("failed to load", e); }
        try
        {
            var defs = loaded.Routes.Select((r, i) => new RouteDefinition(r.Path, r.Methods, i, r.File, r.Line)).ToList();
            var signature = string.Join("\n", defs.Select(d => $"{d.Pattern} {string.Join(",", d.Methods)} {d.HandlerId} {d.Location}"));
            RouteTable table;
            try { table = RouteTable.Build(defs); }
            catch (RouteTableException e) { throw new ScriptLoadException(e.Message); }
            catch (ArgumentException e) { throw new ScriptLoadException($"{_scriptPath}: {e.Message}"); }
            var version = new ScriptVersion(++_versionCount, table, signature, loaded);
            return (version, loaded.Startup, loaded.Saved);
        }
        catch
        {
            _host!.RestoreModules(loaded.Saved);
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>What the script raised as a ScriptLoadException naming the script line.</summary>
    private ScriptLoadException ScriptError(string what, ScriptRaisedException e)
    {
        var traceback = e.Traceback;
        var where = e.Location ?? _scriptPath;
        var last = traceback.Split('\n')[^1];
        var hint = IsSubInterpreter && traceback.Contains("subinterpreters", StringComparison.Ordinal)
            ? "\n(worker_mode: interpreters runs workers 1..N-1 in sub-interpreters, where extension modules without sub-interpreter support cannot load; worker_mode: processes has no such limit)"
            : "";
        var who = IsSubInterpreter ? $"worker {Index} (sub-interpreter): " : "";
        return new ScriptLoadException($"{who}{where}: {what}: {last}\n{traceback}{hint}");
    }
}
