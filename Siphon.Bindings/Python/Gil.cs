namespace Siphon.Runtime.Python;

/// <summary>The GIL held for one synchronous scope: <c>using var gil = Gil.Acquire();</c>, pythonnet's
/// <c>Py.GIL()</c> kept in a ref struct so that it can never be held across an await.
/// PyGILState_* (what Py.GIL() uses) serve the main interpreter only: a sub-interpreter's worker
/// thread keeps its own thread state attached instead (PythonRuntime.CreateSubInterpreter), and once
/// a sub-interpreter has existed CPython turns PyGILState_Check off, so <see cref="IsHeld"/> answers true.</summary>
public ref struct Gil
{
    private global::Python.Runtime.Py.GILState? _state;

    public static Gil Acquire() => new() { _state = global::Python.Runtime.Py.GIL() };

    public static bool IsHeld => CApi.PyGILState_Check() != 0;

    public void Dispose()
    {
        _state?.Dispose();
        _state = null;
    }
}
