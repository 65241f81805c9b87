// Live reload on the worker's loop (docs/reload.md): load the script afresh as a new version and
// run its on_startup hooks while the current version keeps serving (prepare), then make it the
// version new requests enter (commit) and retire the old one: once its last request has been
// answered its on_shutdown hooks run and its references are dropped. A version that is not taken
// (it failed here, or in another interpreter) is discarded: sys.modules is put back, its
// on_shutdown hooks run if its on_startup did, and its references are dropped.
// The loop is running, so hooks run as an asyncio task (run_hooks_async), not run_until_complete.
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Hosting.Dispatch;

/// <summary>A version loaded with its on_startup hooks run, not yet taking requests; Saved puts
/// sys.modules back if it is discarded.</summary>
public sealed class PreparedVersion
{
    internal PreparedVersion(ScriptVersion version, PyRef saved) => (Version, Saved) = (version, saved);

    public ScriptVersion Version { get; }
    internal PyRef Saved { get; }
}

public sealed unsafe partial class Worker
{
    /// <summary>Loads the script again as a new version and runs its on_startup hooks, on this
    /// worker's loop; the current version keeps serving meanwhile. Faults with a
    /// ScriptLoadException (file and line) when the script or a hook fails. Any thread.</summary>
    internal Task<PreparedVersion> PrepareReloadAsync()
    {
        var done = new TaskCompletionSource<PreparedVersion>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_started.Task.IsCompletedSuccessfully || Volatile.Read(ref _stopPosted) == 1)
            done.SetException(new InvalidOperationException($"worker {Index} is not serving"));
        else Post(new ActionWork(() => BeginPrepare(done)));
        return done.Task;
    }

    /// <summary>Makes <paramref name="prepared"/> the version new requests enter. Swapped completes
    /// once it does (the switch runs on the worker's thread), Retired once the replaced version has
    /// drained, run its on_shutdown hooks and been dropped.</summary>
    internal (Task Swapped, Task Retired) CommitReload(PreparedVersion prepared)
    {
        var swapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var retired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new ActionWork(() =>
        {
            prepared.Saved.Dispose();
            var old = _current!;
            _versions.Add(prepared.Version);
            _current = prepared.Version; // from here on, requests enter the new version
            swapped.SetResult();
            old.Retire(() => Post(new ActionWork(() => RunHooksThen(old, "on_shutdown hook of a retired version failed", () => Drop(old, retired)))));
        }));
        return (swapped.Task, retired.Task);
    }

    /// <summary>Drops a prepared version that is not taken (another worker's copy failed).</summary>
    internal void DiscardReload(PreparedVersion prepared) => Post(new ActionWork(() =>
    {
        _host!.RestoreModules(prepared.Saved);
        prepared.Saved.Dispose();
        RunHooksThen(prepared.Version, "on_shutdown hook of a discarded version failed", () => prepared.Version.DisposeReferences());
    }));

    private void BeginPrepare(TaskCompletionSource<PreparedVersion> done)
    {
        ScriptVersion version;
        PyRef startup, saved;
        try
        {
            (version, startup, saved) = LoadVersion();
        }
        catch (Exception e)
        {
            PyErrors.Clear();
            done.TrySetException(e);
            return;
        }
        using (startup)
        {
            StartHooks(startup, error =>
            {
                if (error == 0)
                {
                    done.TrySetResult(new PreparedVersion(version, saved));
                    return;
                }
                using var exception = PyOwned.Adopt(error);
                var failure = ScriptError("on_startup hook failed", _host!.Raised(exception.Handle, _scriptPath));
                _host.RestoreModules(saved);
                saved.Dispose();
                version.DisposeReferences();
                done.TrySetException(failure);
            });
        }
    }

    /// <summary>Runs <paramref name="version"/>'s on_shutdown hooks as a task on the loop, then <paramref name="then"/>.</summary>
    private void RunHooksThen(ScriptVersion version, string what, Action then)
    {
        StartHooks(version.ShutdownHooks, error =>
        {
            if (error != 0)
            {
                using var exception = PyOwned.Adopt(error);
                _scriptLog.LogError("{What} (version {Version}):\n{Traceback}", what, version.Number, PyErrors.FormatTraceback(exception.Handle).TrimEnd());
            }
            then();
        });
    }

    private void Drop(ScriptVersion version, TaskCompletionSource retired)
    {
        _versions.Remove(version);
        version.DisposeReferences();
        retired.TrySetResult();
    }

    /// <summary>Schedules siphon._host.run_hooks_async(hooks) on the loop; <paramref name="finished"/> gets,
    /// on the loop thread, 0 when the hooks succeeded, else the exception (a new reference it owns).</summary>
    private void StartHooks(PyRef hooks, Action<nint> finished)
    {
        try
        {
            using var coroutine = _host!.RunHooksAsync(hooks);
            using var task = PyObjects.Call(_createTask!.Handle, coroutine.Handle);
            if (PyAsyncio.IsDone(task.Handle)) // eager task factory: the hooks never suspended
            {
                finished(TaskError(task.Handle));
                return;
            }
            using var callback = PyOwned.Checked(NativeCallable.Create(t =>
            {
                finished(TaskError(t));
                return PyConvert.None();
            }));
            PyAsyncio.AddDoneCallback(task.Handle, callback.Handle);
        }
        catch (PythonException e)
        {
            // Scheduling itself failed (no memory, a closed loop): report it as the hooks' failure.
            finished(NewRuntimeErrorOrZero($"could not run the hooks: {e.Message}"));
        }
    }

    /// <summary>A finished task's exception as a new reference (a RuntimeError when it was
    /// cancelled), or 0 when it succeeded (or is not a task).</summary>
    private static nint TaskError(nint task)
    {
        try
        {
            if (PyAsyncio.IsCancelled(task)) return NewRuntimeErrorOrZero("the hook was cancelled");
            var exc = PyAsyncio.Exception(task);
            if (!PyConvert.IsNone(exc.Handle)) return exc.Steal();
            exc.Dispose();
            return 0;
        }
        catch (PythonException) { return 0; }
    }

    private static nint NewRuntimeErrorOrZero(string message)
    {
        try { return PyAsyncio.NewRuntimeError(message).Steal(); }
        catch (PythonException) { return 0; }
    }
}
